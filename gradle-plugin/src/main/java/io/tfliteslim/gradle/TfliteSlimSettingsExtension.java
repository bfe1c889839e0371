package io.tfliteslim.gradle;

import org.gradle.api.Action;

/**
 * The {@code tfliteSlim { ... }} block of {@code settings.gradle(.kts)} (plugin
 * {@code io.tfliteslim.settings}): where the slim runtime comes from, declared
 * once for every project. Plain get/set pairs of one type each, so Kotlin sees
 * properties ({@code allowInsecureProtocol = true}) and Groovy on Gradle 4.4 too.
 */
public class TfliteSlimSettingsExtension {
    private Object installDir;
    private String repositoryUrl;
    private final TfliteSlimExtension.Credentials credentials = new TfliteSlimExtension.Credentials();
    private boolean allowInsecureProtocol;
    private String groupId;

    /**
     * The local repository {@code tfliteSlim} installs into (the project plugin's {@code repository});
     * relative to the settings directory; null means mavenLocal(), as in the project plugin.
     */
    public Object getInstallDir() {
        return installDir;
    }

    public void setInstallDir(Object installDir) {
        this.installDir = installDir;
    }

    /** Team flow: the shared Maven repository CI deploys to; null means none. */
    public String getRepositoryUrl() {
        return repositoryUrl;
    }

    public void setRepositoryUrl(String repositoryUrl) {
        this.repositoryUrl = repositoryUrl;
    }

    /** Credentials for {@link #getRepositoryUrl()}. */
    public TfliteSlimExtension.Credentials getCredentials() {
        return credentials;
    }

    public void credentials(Action<? super TfliteSlimExtension.Credentials> action) {
        action.execute(credentials);
    }

    /** Allow a plain {@code http://} repositoryUrl (Gradle's allowInsecureProtocol, 6.0+). */
    public boolean getAllowInsecureProtocol() {
        return allowInsecureProtocol;
    }

    public void setAllowInsecureProtocol(boolean allowInsecureProtocol) {
        this.allowInsecureProtocol = allowInsecureProtocol;
    }

    /** The slim artifacts' groupId (only our repositories may serve it); null means {@code io.tfliteslim}. */
    public String getGroupId() {
        return groupId;
    }

    public void setGroupId(String groupId) {
        this.groupId = groupId;
    }
}
