package io.tfliteslim.gradle.tasks;

import io.tfliteslim.gradle.TfliteSlimExtension;

import org.gradle.api.GradleException;
import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** tfliteSlimPublish's credentials: both, or neither; half a pair is one message naming the setting. */
public class PublishCredentialsTest {
    private static String refused(String username, String password) {
        try {
            TfliteSlimPublishTask.checkCredentials(username, password);
        } catch (GradleException e) {
            return e.getMessage();
        }
        fail("accepted " + username + "/" + password);
        return null;
    }

    @Test
    public void aUsernameWithoutPasswordSaysWhichSetting() {
        assertEquals("tfliteSlimPublish: tfliteSlim.credentials.username is set but the password is null (is the environment"
                + " variable or property it is read from set?): set tfliteSlim.credentials.password", refused("ci", null));
    }

    @Test
    public void aPasswordWithoutUsernameIsNotDroppedSilently() {
        assertEquals("tfliteSlimPublish: tfliteSlim.credentials.password is set without a username: set"
                + " tfliteSlim.credentials.username too (the repository's user, or the name its tokens go with)", refused(null, "t"));
        refused("", "t");
    }

    @Test
    public void bothOrNeitherPass() {
        TfliteSlimPublishTask.checkCredentials("ci", "secret");
        TfliteSlimPublishTask.checkCredentials(null, null);
        // An empty password is the user's choice (some repositories take a token as the user name).
        TfliteSlimPublishTask.checkCredentials("token", "");
    }

    /**
     * {@code password = providers.environmentVariable(...)} (here any Provider, Gradle 4.4 has no
     * environmentVariable): tfliteSlimPublish's captured action keeps the provider, unread, so the secret
     * is not part of the task's stored state; it is read when the action runs.
     */
    @Test
    public void aPasswordProviderIsKeptUnreadUntilTheActionRuns() {
        org.gradle.api.Project project = org.gradle.testfixtures.ProjectBuilder.builder().build();
        project.getPluginManager().apply("io.tfliteslim");
        TfliteSlimExtension ext = project.getExtensions().getByType(TfliteSlimExtension.class);
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        ext.setRepositoryUrl("https://repo.example/maven");
        ext.credentials(c -> {
            c.setUsername("ci");
            c.setPassword(project.provider(() -> {
                reads.incrementAndGet();
                return "s3cret";
            }));
        });
        TfliteSlimPublishTask.Action action = ((TfliteSlimPublishTask) project.getTasks().getByName("tfliteSlimPublish")).freeze();
        assertEquals(0, reads.get());
        assertTrue(action.password instanceof org.gradle.api.provider.Provider);
        assertEquals("s3cret", Secrets.valueOf(action.password));
        assertEquals(1, reads.get());
    }
}
