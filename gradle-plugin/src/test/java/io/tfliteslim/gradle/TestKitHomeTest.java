package io.tfliteslim.gradle;

import groovy.lang.GroovyClassLoader;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The build's testKitGradleHome logic (gradle/TestKitHome.groovy) on a fake
 * Gradle home shaped like Debian's, independent of what this machine has installed.
 */
public class TestKitHomeTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static void jar(File file, String classpathProperties) throws IOException {
        file.getParentFile().mkdirs();
        try (ZipOutputStream zip = new ZipOutputStream(new FileOutputStream(file))) {
            zip.putNextEntry(new ZipEntry(file.getName().replace(".jar", "") + "-classpath.properties"));
            zip.write(classpathProperties.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
    }

    private void assemble(File gradleHome, File home) throws Exception {
        try (GroovyClassLoader loader = new GroovyClassLoader(getClass().getClassLoader())) {
            Class<?> assembler = loader.parseClass(new File(System.getProperty("tfliteSlim.testKitHomeScript")));
            assembler.getMethod("assemble", File.class, File.class).invoke(null, gradleHome, home);
        }
    }

    @Test
    public void aNameThatIsBothALibJarAndARuntimeJarIsLinkedOnce() throws Exception {
        // Debian: lib/*.jar are symlinks into /usr/share/java; libgradle-kotlin-dsl-java adds a lib
        // jar whose name another Gradle jar also lists as a runtime jar.
        File share = temp.newFolder("usr-share-java");
        jar(new File(share, "gradle-core.jar"), "runtime=kotlin-dsl.jar,guava.jar\n");
        jar(new File(share, "kotlin-dsl.jar"), "runtime=\n");
        jar(new File(share, "guava.jar"), "");
        jar(new File(share, "gradle-plugin-x.jar"), "runtime=guava.jar\n");
        File gradleHome = temp.newFolder("gradle-home");
        File lib = new File(gradleHome, "lib");
        new File(lib, "plugins").mkdirs();
        Files.createSymbolicLink(new File(lib, "gradle-core.jar").toPath(), new File(share, "gradle-core.jar").toPath());
        Files.createSymbolicLink(new File(lib, "kotlin-dsl.jar").toPath(), new File(share, "kotlin-dsl.jar").toPath());
        Files.createSymbolicLink(new File(lib, "plugins/gradle-plugin-x.jar").toPath(), new File(share, "gradle-plugin-x.jar").toPath());

        File home = new File(temp.getRoot(), "testkit-home");
        assemble(gradleHome, home);

        String[] libNames = new File(home, "lib").list((d, n) -> n.endsWith(".jar"));
        Arrays.sort(libNames);
        assertEquals(Arrays.asList("gradle-core.jar", "guava.jar", "kotlin-dsl.jar"), Arrays.asList(libNames));
        assertEquals(Arrays.asList("gradle-plugin-x.jar"), Arrays.asList(new File(home, "lib/plugins").list()));
        assertEquals(new File(share, "kotlin-dsl.jar").getCanonicalFile(), new File(home, "lib/kotlin-dsl.jar").getCanonicalFile());
        assertTrue(Files.isSymbolicLink(new File(home, "lib/guava.jar").toPath()));
    }

    @Test
    public void aMissingRuntimeJarIsNamed() throws Exception {
        File gradleHome = temp.newFolder("gradle-home");
        jar(new File(gradleHome, "lib/gradle-core.jar"), "runtime=gone.jar\n");
        try {
            assemble(gradleHome, new File(temp.getRoot(), "home"));
            throw new AssertionError("no error");
        } catch (java.lang.reflect.InvocationTargetException e) {
            assertTrue(e.getCause().getMessage(), e.getCause().getMessage().contains("gradle-core.jar needs gone.jar"));
        }
    }
}
