pluginManagement {
    repositories {
        // tflite-slim's Gradle plugins (io.tfliteslim, io.tfliteslim.settings):
        // `gradle -p gradle-plugin publishToMavenLocal` in the tflite-slim checkout puts them here.
        mavenLocal {
            content {
                includeGroupByRegex("io\\.tfliteslim.*")
            }
        }
        google {
            content {
                includeGroupByRegex("com\\.android.*")
                includeGroupByRegex("com\\.google.*")
                includeGroupByRegex("androidx.*")
            }
        }
        mavenCentral()
        gradlePluginPortal()
    }
}

plugins {
    // Adds the slim runtime's repository to dependencyResolutionManagement, serving the
    // io.tfliteslim group only. Its jar also holds the project plugin io.tfliteslim, which
    // app/build.gradle.kts therefore requests without a version: this line is the one place the
    // plugins' version is written (the version catalog cannot be used in this block).
    id("io.tfliteslim.settings") version "0.1.0"
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

tfliteSlim {
    // Where the app resolves the slim runtime from: the directory `./gradlew :app:tfliteSlim` installs
    // into (~/.m2/repository; `installDir` to change it) and, in the team flow (README), the Maven
    // repository CI deploys to.
    System.getenv("TFLITE_SLIM_REPOSITORY_URL")?.let { url ->
        repositoryUrl = url
        credentials {
            username = System.getenv("TFLITE_SLIM_USERNAME")
            password = System.getenv("TFLITE_SLIM_PASSWORD")
        }
    }
}

rootProject.name = "tflite-slim-sample"
include(":app")
