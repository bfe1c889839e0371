// Top-level build file: the plugins every module may use, resolved once here.
plugins {
    alias(libs.plugins.android.application) apply false
    alias(libs.plugins.tfliteslim) apply false
}
