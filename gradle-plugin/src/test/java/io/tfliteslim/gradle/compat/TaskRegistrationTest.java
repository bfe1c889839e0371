package io.tfliteslim.gradle.compat;

import org.gradle.api.Action;
import org.gradle.api.DefaultTask;
import org.gradle.api.Project;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.util.ArrayList;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** Lazy {@code register} where the container has it (Gradle 4.9+), eager {@code create} on Gradle 4.4. */
public class TaskRegistrationTest {
    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    /** A container shaped like Gradle 8's TaskContainer: register and create, with their overloads. */
    public static final class ModernTasks {
        final List<String> calls = new ArrayList<>();

        public Object register(String name) {
            throw new AssertionError("wrong overload");
        }

        public Object register(String name, Action<?> configure) {
            throw new AssertionError("wrong overload");
        }

        public Object register(String name, Class<?> type) {
            throw new AssertionError("wrong overload");
        }

        public Object register(String name, Class<?> type, Object... constructorArgs) {
            throw new AssertionError("wrong overload");
        }

        public Object register(String name, Class<?> type, Action<?> configure) {
            calls.add("register " + name);
            return null;
        }

        public Object create(String name, Class<?> type, Action<?> configure) {
            calls.add("create " + name);
            return null;
        }
    }

    @Test
    public void registersLazilyWhereGradleCan() {
        ModernTasks tasks = new ModernTasks();
        boolean[] configured = {false};
        assertTrue(TaskRegistration.add(tasks, "tfliteSlim", DefaultTask.class, t -> configured[0] = true));
        assertEquals(java.util.Arrays.asList("register tfliteSlim"), tasks.calls);
        assertFalse("configured only when realized", configured[0]);
    }

    @Test
    public void createsEagerlyOnGradle44() {
        Project project = ProjectBuilder.builder().withProjectDir(temp.getRoot()).build();
        boolean lazy = TaskRegistration.add(project.getTasks(), "x", DefaultTask.class, t -> t.setGroup("g"));
        assertEquals(project.getGradle().getGradleVersion().startsWith("4."), !lazy);
        assertEquals("g", project.getTasks().getByName("x").getGroup());
    }
}
