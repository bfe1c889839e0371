// What a real Gradle 8/9 gives a `build.gradle.kts` / `settings.gradle.kts` that the API jars this
// harness compiles against (Debian's Gradle 4.4) lack. Each declaration mirrors the signature of the
// Gradle source named beside it; bodies never run (the harness only compiles). Add here what a
// snippet needs, with the same care: a stand-in looser than Gradle's would let broken snippets pass.
@file:Suppress("unused", "UNUSED_PARAMETER")

package tfliteslim.kotlindsl

import org.gradle.api.Action
import org.gradle.api.Project
import org.gradle.api.artifacts.dsl.RepositoryHandler
import org.gradle.api.initialization.Settings
import org.gradle.api.plugins.ExtensionAware
import org.gradle.api.provider.Provider
import org.gradle.api.provider.ProviderFactory
import org.gradle.plugin.use.PluginDependenciesSpec
import org.gradle.plugin.use.PluginDependencySpec

// org.gradle.kotlin.dsl (PluginDependenciesSpecExtensions.kt): `id("x") version "1"`.
infix fun PluginDependencySpec.version(version: String?): PluginDependencySpec = version(version)

// org.gradle.plugin.management.PluginManagementSpec.includeBuild(String) (Gradle 7.0+; a plugin build
// included in pluginManagement). Gradle 4.4's spec has repositories and resolutionStrategy only.
fun org.gradle.plugin.management.PluginManagementSpec.includeBuild(rootProject: String): Unit = throw UnsupportedOperationException()

// org.gradle.api.provider.ProviderFactory (Gradle 6.1+ / 6.2+): environmentVariable, gradleProperty.
fun ProviderFactory.environmentVariable(variableName: String): Provider<String> = throw UnsupportedOperationException()
fun ProviderFactory.gradleProperty(propertyName: String): Provider<String> = throw UnsupportedOperationException()

// org.gradle.api.initialization.resolve.RepositoriesMode and DependencyResolutionManagement (Gradle 6.8+).
enum class RepositoriesMode { PREFER_PROJECT, PREFER_SETTINGS, FAIL_ON_PROJECT_REPOS }

interface SetProperty<T> {
    // org.gradle.api.provider.Property.set(T)
    fun set(value: T?)
}

interface DependencyResolutionManagement {
    fun repositories(repositoryConfiguration: Action<in RepositoryHandler>)
    val repositories: RepositoryHandler
    val repositoriesMode: SetProperty<RepositoriesMode>
}

/**
 * A build script's receiver: org.gradle.kotlin.dsl.KotlinBuildScript delegates to the Project and adds
 * the `plugins { }` block; type-safe accessors are generated for each extension a plugin in that block
 * registered (gradle/gradle, kotlin-dsl: ProjectAccessors: `fun Project.<name>(configure: Action<T>)`).
 */
abstract class BuildScript(private val project: Project) : Project by project {
    fun plugins(block: PluginDependenciesSpec.() -> Unit): Unit = throw UnsupportedOperationException()

    // The accessor Gradle generates for the project plugin's extension.
    fun tfliteSlim(configure: Action<io.tfliteslim.gradle.TfliteSlimExtension>): Unit =
        (project as ExtensionAware).extensions.configure("tfliteSlim", configure)

    val tfliteSlim: io.tfliteslim.gradle.TfliteSlimExtension
        get() = (project as ExtensionAware).extensions.getByName("tfliteSlim") as io.tfliteslim.gradle.TfliteSlimExtension
}

/**
 * A settings script's receiver (org.gradle.kotlin.dsl.KotlinSettingsScript / SettingsScriptApi): the
 * Settings (ExtensionAware from 6.8's API on), `plugins { }`, `file()`, `providers`, and
 * `configure<T> { }` (org.gradle.kotlin.dsl ExtensionAwareExtensions.kt), which configures a settings
 * extension on any Gradle. Gradle 8.8+ also generates type-safe accessors for the extensions of
 * plugins applied in a settings script's `plugins { }` block (gradle/gradle#27999, merged as #28581;
 * before that only `configure<T>` worked): `tfliteSlim { }` below is that accessor.
 */
abstract class SettingsScript(private val settings: Settings) : Settings by settings {
    fun plugins(block: PluginDependenciesSpec.() -> Unit): Unit = throw UnsupportedOperationException()
    fun file(path: Any): java.io.File = throw UnsupportedOperationException()
    val providers: ProviderFactory get() = throw UnsupportedOperationException()
    fun dependencyResolutionManagement(dependencyResolutionConfiguration: Action<in DependencyResolutionManagement>): Unit =
        throw UnsupportedOperationException()

    inline fun <reified T : Any> configure(noinline configuration: T.() -> Unit): Unit =
        configuration((this as ExtensionAware).extensions.getByType(T::class.java))

    // The accessor Gradle 8.8+ generates for the settings plugin's extension.
    fun tfliteSlim(configure: Action<io.tfliteslim.gradle.TfliteSlimSettingsExtension>): Unit =
        (settings as ExtensionAware).extensions.configure("tfliteSlim", configure)
}
