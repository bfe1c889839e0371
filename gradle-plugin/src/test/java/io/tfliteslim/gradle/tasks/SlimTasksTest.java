package io.tfliteslim.gradle.tasks;

import org.gradle.api.Project;
import org.gradle.api.Task;
import org.gradle.api.execution.TaskExecutionGraph;
import org.gradle.testfixtures.ProjectBuilder;
import org.junit.Test;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** The task-graph hook of one project touches that project's scheduled tasks only (isolated projects). */
public class SlimTasksTest {
    /** A task graph that holds {@code scheduled} and fails the test when asked for every task of the build. */
    private static TaskExecutionGraph graphOf(Task... scheduled) {
        List<Task> tasks = new ArrayList<>(java.util.Arrays.asList(scheduled));
        return (TaskExecutionGraph) Proxy.newProxyInstance(SlimTasksTest.class.getClassLoader(),
                new Class<?>[]{TaskExecutionGraph.class}, (proxy, method, args) -> {
                    if (method.getName().equals("hasTask") && args[0] instanceof Task) {
                        return tasks.contains(args[0]);
                    }
                    throw new AssertionError("the hook called " + method.getName() + ": it may only ask about its own tasks");
                });
    }

    @Test
    public void theHookFreezesItsOwnScheduledTasksOnly() {
        Project root = ProjectBuilder.builder().withName("root").build();
        Project app = ProjectBuilder.builder().withName("app").withParent(root).build();
        Project lib = ProjectBuilder.builder().withName("lib").withParent(root).build();
        app.getPluginManager().apply("io.tfliteslim");
        lib.getPluginManager().apply("io.tfliteslim");
        ToolTask<?> appReport = (ToolTask<?>) app.getTasks().getByName("tfliteReport");
        ToolTask<?> appSlim = (ToolTask<?>) app.getTasks().getByName("tfliteSlim");
        ToolTask<?> libReport = (ToolTask<?>) lib.getTasks().getByName("tfliteReport");
        List<ToolTask<?>> mine = new ArrayList<>();
        mine.add(appReport);
        mine.add(appSlim);
        SlimTasks.freezer(mine).execute(graphOf(appReport, libReport));
        assertTrue(appReport.frozen());
        assertFalse("not scheduled", appSlim.frozen());
        assertFalse("another project's task", libReport.frozen());
    }
}
