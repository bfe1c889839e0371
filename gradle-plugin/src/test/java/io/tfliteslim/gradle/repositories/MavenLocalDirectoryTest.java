package io.tfliteslim.gradle.repositories;

import io.tfliteslim.gradle.TfliteSlimExtension;
import io.tfliteslim.gradle.tasks.TfliteSlimTask;
import org.gradle.api.Project;
import org.gradle.api.internal.project.ProjectInternal;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.File;

import static org.junit.Assert.assertEquals;

/**
 * Issue 29 #4: with no {@code tfliteSlim.repository}, tfliteSlim installs where Gradle's own mavenLocal()
 * looks, and tells the tool so: the tool's default is Maven's (MAVEN_OPTS, MAVEN_HOME, $HOME), which
 * Gradle never reads (it reads Java's user.home, M2_HOME, its system property maven.repo.local).
 */
public class MavenLocalDirectoryTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    @Test
    public void tfliteSlimInstallsIntoTheDirectoryGradlesMavenLocalReads() throws Exception {
        File gradles = temp.newFolder("gradles-maven-local");
        String before = System.getProperty("maven.repo.local");
        System.setProperty("maven.repo.local", gradles.getAbsolutePath());
        try {
            Project project = ProjectBuilder.builder().withProjectDir(temp.newFolder("app")).build();
            project.getPluginManager().apply("io.tfliteslim");
            ((ProjectInternal) project).evaluate();
            TfliteSlimTask task = (TfliteSlimTask) project.getTasks().getByName("tfliteSlim");
            assertEquals(gradles.getAbsolutePath(), task.getRepository());
            assertEquals(gradles, SlimRepositories.mavenLocalDirectory(project));
        } finally {
            if (before == null) {
                System.clearProperty("maven.repo.local");
            } else {
                System.setProperty("maven.repo.local", before);
            }
        }
    }

    @Test
    public void aRepositorySetInTheBuildIsTheOneUsed() throws Exception {
        Project project = ProjectBuilder.builder().withProjectDir(temp.newFolder("app2")).build();
        project.getPluginManager().apply("io.tfliteslim");
        project.getExtensions().getByType(TfliteSlimExtension.class).setRepository("repo");
        ((ProjectInternal) project).evaluate();
        TfliteSlimTask task = (TfliteSlimTask) project.getTasks().getByName("tfliteSlim");
        assertEquals(project.file("repo").getAbsolutePath(), task.getRepository());
    }
}
