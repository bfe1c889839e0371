package io.tfliteslim.gradle;

import org.gradle.api.Project;
import org.gradle.api.artifacts.repositories.ArtifactRepository;
import org.gradle.api.internal.project.ProjectInternal;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.Assert.assertEquals;

/** Repositories are added whether the plugin is applied before or after the project was evaluated. */
public class LateApplyTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private static List<String> names(Project project) {
        List<String> names = new ArrayList<>();
        for (ArtifactRepository r : project.getRepositories()) {
            names.add(r.getName());
        }
        return names;
    }

    private static void other(Project project) {
        project.getRepositories().maven(r -> {
            r.setName("Other");
            r.setUrl("https://repo.example.invalid/maven");
        });
    }

    @Test
    public void appliedBeforeEvaluationAddsOursFirstOnceEvaluated() throws Exception {
        Project project = ProjectBuilder.builder().withProjectDir(temp.newFolder("early")).build();
        other(project);
        project.getPluginManager().apply("io.tfliteslim");
        assertEquals(Arrays.asList("Other"), names(project));
        ((ProjectInternal) project).evaluate();
        assertEquals(Arrays.asList("MavenLocal", "Other"), names(project));
    }

    /** E.g. {@code allprojects { afterEvaluate { apply plugin: 'io.tfliteslim' } }}: afterEvaluate never fires then. */
    @Test
    public void appliedAfterEvaluationAddsOursAtOnce() throws Exception {
        Project project = ProjectBuilder.builder().withProjectDir(temp.newFolder("late")).build();
        other(project);
        ((ProjectInternal) project).evaluate();
        project.getPluginManager().apply("io.tfliteslim");
        assertEquals(Arrays.asList("MavenLocal", "Other"), names(project));
    }
}
