// Top-level build file: the plugins every module may use, resolved once here.
plugins {
    alias(libs.plugins.android.application) apply false
    // Not io.tfliteslim: settings.gradle.kts applies io.tfliteslim.settings, whose jar (the same one)
    // is on the settings classpath, which every build script inherits. A request for it here with a
    // version (the catalog's alias) fails: "already on the classpath with an unknown version".
}
