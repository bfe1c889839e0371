import java.nio.file.Files
import java.util.zip.ZipFile

/**
 * A Gradle home TestKit can run, made of symlinks: lib/ and lib/plugins/ with
 * the Gradle jars plus the third-party jars each names in its
 * `gradle-*-classpath.properties` (`runtime=`). A Debian-packaged Gradle keeps
 * those in /usr/share/java, where the tooling API does not look.
 *
 * Loaded by build.gradle (task testKitGradleHome) and by TestKitHomeTest.
 * Each jar name is linked once: a name can be both a lib jar and another
 * jar's runtime jar (Debian's libgradle-kotlin-dsl-java ships such a pair).
 */
class TestKitHome {
    static void assemble(File gradleHome, File home) {
        Set<String> linked = [] as Set
        ['lib', 'lib/plugins'].each { sub ->
            def dst = new File(home, sub)
            dst.mkdirs()
            def jars = (new File(gradleHome, sub).listFiles() ?: []).findAll { it.name.endsWith('.jar') }.sort { it.name }
            jars.each { jar ->
                def target = jar.canonicalFile
                if (linked.add(jar.name)) {
                    Files.createSymbolicLink(new File(dst, jar.name).toPath(), target.toPath())
                }
                def zip = new ZipFile(target)
                try {
                    zip.entries().findAll { it.name.endsWith('-classpath.properties') }.each { entry ->
                        def props = new Properties()
                        props.load(zip.getInputStream(entry))
                        (props.getProperty('runtime') ?: '').split(',').findAll { it }.each { name ->
                            def runtimeJar = [new File(target.parentFile, name), new File(jar.parentFile, name)].find { it.isFile() }
                            if (runtimeJar == null) {
                                throw new IllegalStateException("Gradle home ${gradleHome}: ${jar.name} needs ${name}, not found next to ${target}")
                            }
                            if (linked.add(name)) {
                                Files.createSymbolicLink(new File(dst, name).toPath(), runtimeJar.canonicalFile.toPath())
                            }
                        }
                    }
                } finally {
                    zip.close()
                }
            }
        }
    }
}
