plugins {
    alias(libs.plugins.android.application)
    // Without a version: the jar of io.tfliteslim.settings (settings.gradle.kts) holds this plugin
    // too and is on the classpath already; a version (or the catalog's alias) makes Gradle refuse it.
    id("io.tfliteslim")
}

android {
    namespace = "io.tfliteslim.sample"
    compileSdk = 36

    defaultConfig {
        applicationId = "io.tfliteslim.sample"
        // 26: at or above the NDK API level of every LiteRT build (21 for the 1.x packages, up to
        // configure.py's default of 26), so the slim runtime's .so loads wherever the app installs.
        minSdk = 26
        targetSdk = 36
        versionCode = 1
        versionName = "1.0"
        // tfliteSlim builds the native runtime for these ABIs only.
        ndk {
            abiFilters += listOf("arm64-v8a", "x86_64")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_11
        targetCompatibility = JavaVersion.VERSION_11
    }

    androidResources {
        // The activity memory-maps the model from the APK: keep it uncompressed.
        noCompress += "tflite"
    }
}

dependencies {
    // The stock LiteRT runtime (Interpreter API): tfliteSlim substitutes the slim one it installed.
    implementation(libs.litert)
}

tfliteSlim {
    // Models: every variant's assets (src/main/assets here); ABIs: abiFilters above. The release to
    // build: unset, the stock dependency's (litert 1.4.1 -> LiteRT's v1.4.1 sources, downloaded once
    // into the tool's cache); `source = "/path/to/LiteRT"` builds from a checkout instead.
    verify = true          // tfliteVerify before every build: a model needing a missing op fails it
    required = false       // no slim runtime yet (a fresh clone): the stock one, with a warning
    noCache = false
    alignmentCheck = "error"   // 16 KB-aligned .so files, as Google Play requires for targetSdk 35+
}
