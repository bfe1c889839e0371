import java.nio.file.Files
import java.util.zip.ZipFile

/**
 * A Gradle 8 "home" for ProjectBuilder, made from dev.gradleplugins:gradle-api (the redistributed
 * gradleApi() jar, one jar holding every Gradle module's classes and each module's
 * `gradle-<module>-classpath.properties`): lib/ holds the beacon jar (built from
 * src/gradle8Test/beacon) and, for every module and every `runtime=` jar those properties name, a
 * symlink to the API jar (or to the real Groovy/Kotlin jar of that name when given), so Gradle's
 * module registry finds a jar for each name it looks up. The classes all come from the one API jar.
 *
 * Loaded by build.gradle (task gradle8Home).
 */
class Gradle8Home {
    static void assemble(File apiJar, String version, Collection<File> realJars, File home) {
        def lib = new File(home, 'lib')
        // Gradle's locator takes a beacon jar's lib/ for a home only when lib/plugins/ is there too.
        new File(lib, 'plugins').mkdirs()
        Map<String, File> real = [:]
        realJars.each { real[it.name] = it }
        Set<String> names = [] as Set
        def zip = new ZipFile(apiJar)
        try {
            zip.entries().findAll { it.name ==~ /gradle-[\w.-]+-classpath\.properties/ }.each { entry ->
                names << entry.name.replace('-classpath.properties', "-${version}.jar")
                def props = new Properties()
                props.load(zip.getInputStream(entry))
                (props.getProperty('runtime') ?: '').split(',').findAll { it }.each { names << it }
            }
        } finally {
            zip.close()
        }
        names << "gradle-api-${version}.jar".toString()
        names.sort().each { name ->
            Files.createSymbolicLink(new File(lib, name).toPath(), (real[name] ?: apiJar).toPath())
        }
    }
}
