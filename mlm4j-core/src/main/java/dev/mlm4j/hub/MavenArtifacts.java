package dev.mlm4j.hub;

import dev.mlm4j.util.ProgressListener;
import org.apache.maven.settings.Mirror;
import org.apache.maven.settings.Profile;
import org.apache.maven.settings.Server;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.DefaultSettingsBuilderFactory;
import org.apache.maven.settings.building.DefaultSettingsBuildingRequest;
import org.apache.maven.settings.building.SettingsBuildingException;
import org.apache.maven.settings.crypto.DefaultSettingsDecrypter;
import org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest;
import org.apache.maven.settings.crypto.SettingsDecryptionResult;
import org.eclipse.aether.ConfigurationProperties;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession.CloseableSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.Authentication;
import org.eclipse.aether.repository.Proxy;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.repository.RepositoryPolicy;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.transfer.AbstractTransferListener;
import org.eclipse.aether.transfer.ArtifactNotFoundException;
import org.eclipse.aether.transfer.ChecksumFailureException;
import org.eclipse.aether.transfer.RepositoryOfflineException;
import org.eclipse.aether.transfer.TransferEvent;
import org.eclipse.aether.util.repository.AuthenticationBuilder;
import org.eclipse.aether.util.repository.DefaultAuthenticationSelector;
import org.eclipse.aether.util.repository.DefaultMirrorSelector;
import org.eclipse.aether.util.repository.DefaultProxySelector;
import org.eclipse.aether.util.repository.SimpleResolutionErrorPolicy;
import org.sonatype.plexus.components.cipher.DefaultPlexusCipher;
import org.sonatype.plexus.components.sec.dispatcher.DefaultSecDispatcher;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Model jars from Maven repositories: first the local repository, else a download through Apache Maven Resolver
 * from Maven Central (or the mirrors, proxies, credentials, extra repositories and offline flag of the user's
 * {@code ~/.m2/settings.xml} and Maven's global settings), checked against the repository's SHA-1/MD5 files:
 * a mismatch fails the download and nothing is kept.
 *
 * <p>Overrides, for tests and unusual setups: {@code -Dmlm4j.localRepository} / {@code $MLM4J_LOCAL_REPOSITORY}
 * (else {@code -Dmaven.repo.local}, else settings' {@code localRepository}, else {@code ~/.m2/repository}),
 * {@code -Dmlm4j.remoteRepository} / {@code $MLM4J_REMOTE_REPOSITORY} in place of Maven Central, and
 * {@code -Dmlm4j.offline=true} / {@code $MLM4J_OFFLINE=1}.
 */
public final class MavenArtifacts {

    public static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

    private final Path localRepository;
    private final String remoteUrl;
    private final boolean offline;
    private final Settings settings;

    /**
     * @param localRepository the local repository looked in first and downloaded into
     * @param remoteUrl       the repository in place of Maven Central (a {@code file:} URL works too)
     * @param offline         never download
     * @param settings        Maven settings for mirrors, proxies, servers and profile repositories; may be empty
     */
    public MavenArtifacts(Path localRepository, String remoteUrl, boolean offline, Settings settings) {
        this.localRepository = localRepository.toAbsolutePath().normalize();
        this.remoteUrl = remoteUrl;
        this.offline = offline;
        this.settings = settings;
    }

    /** As Maven would: the user's and the global settings, with the overrides in the class comment. */
    public static MavenArtifacts fromEnvironment() throws IOException {
        Path user = Path.of(System.getProperty("org.apache.maven.user-settings",
                Path.of(System.getProperty("user.home"), ".m2", "settings.xml").toString()));
        Path global = mavenHome().map(h -> h.resolve("conf").resolve("settings.xml")).orElse(null);
        return fromSettings(readSettings(user, global));
    }

    /** {@code settings} with the overrides in the class comment applied. */
    static MavenArtifacts fromSettings(Settings settings) {
        String local = setting("mlm4j.localRepository", "MLM4J_LOCAL_REPOSITORY");
        if (local == null) local = System.getProperty("maven.repo.local");
        if (local == null) local = settings.getLocalRepository();
        String home = System.getProperty("user.home");
        Path localRepository = local == null || local.isBlank() ? Path.of(home, ".m2", "repository")
                : local.startsWith("~/") ? Path.of(home, local.substring(2)) : Path.of(local);
        String remote = setting("mlm4j.remoteRepository", "MLM4J_REMOTE_REPOSITORY");
        String offline = setting("mlm4j.offline", "MLM4J_OFFLINE");
        boolean isOffline = settings.isOffline() || (offline != null && !offline.equals("0") && !offline.equalsIgnoreCase("false"));
        return new MavenArtifacts(localRepository, remote == null ? CENTRAL : remote, isOffline, settings);
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) v = System.getenv(env);
        return v == null || v.isBlank() ? null : v.trim();
    }

    public Path localRepository() {
        return localRepository;
    }

    public boolean offline() {
        return offline;
    }

    /** Where the jar {@code groupId:artifactId:version} is, or would be, in the local repository. */
    public Path localPath(String coordinates) {
        String[] gav = coordinates.split(":");
        return localRepository.resolve(gav[0].replace('.', '/')).resolve(gav[1]).resolve(gav[2])
                .resolve(gav[1] + "-" + gav[2] + ".jar");
    }

    /** The jar if it is in the local repository already. */
    public Optional<Path> findLocal(String coordinates) {
        Path jar = localPath(coordinates);
        return Files.isRegularFile(jar) ? Optional.of(jar) : Optional.empty();
    }

    /** The hex SHA-1 of the {@code .sha1} file beside {@code jar} (written by Maven when it downloaded it), if any. */
    public static Optional<String> recordedSha1(Path jar) {
        Path file = jar.resolveSibling(jar.getFileName() + ".sha1");
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            String hex = text.split("\\s+")[0];
            return hex.matches("[0-9a-fA-F]{40}") ? Optional.of(hex.toLowerCase(Locale.ROOT)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The local jar of {@code coordinates}, downloaded first if it is not there; {@code label} names it in the
     * progress shown during the download.
     */
    public Path fetch(String coordinates, String label, ProgressListener progress) throws IOException {
        Optional<Path> local = findLocal(coordinates);
        if (local.isPresent()) return local.get();
        if (offline) {
            throw new IOException(coordinates + " is not in the local Maven repository " + localRepository
                    + " and downloads are off (offline in settings.xml or MLM4J_OFFLINE); go online once, or fetch it with: "
                    + "mvn dependency:get -Dartifact=" + coordinates);
        }
        RepositorySystemSupplier supplier = new RepositorySystemSupplier();
        try (RepositorySystem system = supplier.get();
             CloseableSession session = new SessionBuilderSupplier(system).get()
                     .withLocalRepositoryBaseDirectories(localRepository)
                     .setOffline(false)
                     .setChecksumPolicy(RepositoryPolicy.CHECKSUM_POLICY_FAIL)
                     .setResolutionErrorPolicy(new SimpleResolutionErrorPolicy(false, false)) // never cache a failure
                     .setMirrorSelector(mirrors())
                     .setProxySelector(proxies())
                     .setAuthenticationSelector(credentials())
                     .setSystemProperties(System.getProperties())
                     .setConfigProperties(resolverConfig())
                     .setTransferListener(new ProgressTransfers(label, progress))
                     .build()) {
            List<RemoteRepository> repositories = system.newResolutionRepositories(session, remoteRepositories());
            ArtifactRequest request = new ArtifactRequest(new DefaultArtifact(coordinates), repositories, null);
            try {
                ArtifactResult result = system.resolveArtifact(session, request);
                return result.getArtifact().getPath();
            } catch (ArtifactResolutionException e) {
                throw new IOException(explain(coordinates, repositories, e), e);
            }
        }
    }

    /**
     * Resolver settings: give up on a silent connection after a minute rather than Maven's 30 minutes; any
     * {@code -Daether.*} system property (e.g. {@code -Daether.transport.http.requestTimeout=300000}) overrides.
     */
    static Map<String, Object> resolverConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConfigurationProperties.CONNECT_TIMEOUT, 15_000);
        config.put(ConfigurationProperties.REQUEST_TIMEOUT, 60_000);
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("aether.")) config.put(key, System.getProperty(key));
        }
        return config;
    }

    /** Central (or its replacement) first, then the repositories of the settings' active profiles. */
    List<RemoteRepository> remoteRepositories() {
        RepositoryPolicy releases = new RepositoryPolicy(true, RepositoryPolicy.UPDATE_POLICY_DAILY, RepositoryPolicy.CHECKSUM_POLICY_FAIL);
        RepositoryPolicy noSnapshots = new RepositoryPolicy(false, RepositoryPolicy.UPDATE_POLICY_DAILY, RepositoryPolicy.CHECKSUM_POLICY_FAIL);
        List<RemoteRepository> repositories = new ArrayList<>();
        repositories.add(new RemoteRepository.Builder("central", "default", remoteUrl)
                .setReleasePolicy(releases).setSnapshotPolicy(noSnapshots).build());
        Set<String> active = new LinkedHashSet<>(settings.getActiveProfiles());
        for (Profile profile : settings.getProfiles()) {
            boolean on = active.contains(profile.getId())
                    || (profile.getActivation() != null && profile.getActivation().isActiveByDefault());
            if (!on) continue;
            for (org.apache.maven.settings.Repository r : profile.getRepositories()) {
                if (r.getReleases() != null && !r.getReleases().isEnabled()) continue;
                if ("central".equals(r.getId())) repositories.removeFirst(); // the profile redefines central
                repositories.add(new RemoteRepository.Builder(r.getId(), r.getLayout(), r.getUrl())
                        .setReleasePolicy(releases).setSnapshotPolicy(noSnapshots).build());
            }
        }
        return repositories;
    }

    private DefaultMirrorSelector mirrors() {
        DefaultMirrorSelector selector = new DefaultMirrorSelector();
        for (Mirror m : settings.getMirrors()) {
            selector.add(m.getId(), m.getUrl(), m.getLayout(), false, m.isBlocked(), m.getMirrorOf(), m.getMirrorOfLayouts());
        }
        return selector;
    }

    private DefaultProxySelector proxies() {
        DefaultProxySelector selector = new DefaultProxySelector();
        for (org.apache.maven.settings.Proxy p : decrypted().getProxies()) {
            if (!p.isActive()) continue;
            Authentication auth = p.getUsername() == null ? null
                    : new AuthenticationBuilder().addUsername(p.getUsername()).addPassword(p.getPassword()).build();
            selector.add(new Proxy(p.getProtocol(), p.getHost(), p.getPort(), auth), p.getNonProxyHosts());
        }
        return selector;
    }

    private DefaultAuthenticationSelector credentials() {
        DefaultAuthenticationSelector selector = new DefaultAuthenticationSelector();
        for (Server s : decrypted().getServers()) {
            selector.add(s.getId(), new AuthenticationBuilder()
                    .addUsername(s.getUsername()).addPassword(s.getPassword())
                    .addPrivateKey(s.getPrivateKey(), s.getPassphrase()).build());
        }
        return selector;
    }

    /** Servers and proxies with {@code {…}}-encrypted passwords decrypted through ~/.m2/settings-security.xml. */
    private SettingsDecryptionResult decrypted() {
        String security = System.getProperty("settings.security",
                Path.of(System.getProperty("user.home"), ".m2", "settings-security.xml").toString());
        DefaultSecDispatcher dispatcher = new DefaultSecDispatcher(new DefaultPlexusCipher(), Map.of(), security);
        return new DefaultSettingsDecrypter(dispatcher).decrypt(new DefaultSettingsDecryptionRequest(settings));
    }

    /** {@code user} settings over {@code global} ones (either may be missing or null), merged as Maven does. */
    static Settings readSettings(Path user, Path global) throws IOException {
        Properties props = new Properties();
        System.getenv().forEach((k, v) -> props.setProperty("env." + k, v));
        props.putAll(System.getProperties());
        DefaultSettingsBuildingRequest request = new DefaultSettingsBuildingRequest()
                .setUserSettingsFile(user == null ? null : user.toFile())
                .setGlobalSettingsFile(global == null ? null : global.toFile())
                .setSystemProperties(props);
        try {
            return new DefaultSettingsBuilderFactory().newInstance().build(request).getEffectiveSettings();
        } catch (SettingsBuildingException e) {
            throw new IOException("cannot read the Maven settings (" + user + (global == null ? "" : ", " + global) + "): "
                    + e.getProblems().getFirst(), e);
        }
    }

    /** {@code -Dmaven.home}, {@code $MAVEN_HOME}, {@code $M2_HOME}, or the installation {@code mvn} on the PATH belongs to. */
    private static Optional<Path> mavenHome() {
        for (String candidate : new String[] {System.getProperty("maven.home"), System.getenv("MAVEN_HOME"), System.getenv("M2_HOME")}) {
            if (candidate != null && !candidate.isBlank()) return Optional.of(Path.of(candidate));
        }
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            Path mvn = Path.of(dir, "mvn");
            if (Files.isExecutable(mvn)) {
                try {
                    return Optional.ofNullable(mvn.toRealPath().getParent()).map(Path::getParent);
                } catch (IOException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /** One line a user can act on, from the resolver's nested exceptions. */
    static String explain(String coordinates, List<RemoteRepository> repositories, ArtifactResolutionException e) {
        List<Throwable> all = new ArrayList<>();
        for (ArtifactResult r : e.getResults()) {
            for (Exception x : r.getExceptions()) {
                for (Throwable t = x; t != null && !all.contains(t); t = t.getCause()) all.add(t);
            }
        }
        for (Throwable t = e; t != null && !all.contains(t); t = t.getCause()) all.add(t);
        String where = repositories.stream().map(r -> r.getId() + " (" + r.getUrl() + ")").reduce((a, b) -> a + ", " + b).orElse("no repository");
        for (Throwable t : all) {
            if (t instanceof ChecksumFailureException c) {
                return "checksum check failed downloading " + coordinates + " from " + where + ": " + c.getMessage()
                        + "; the download was discarded — try again, or check your mirror";
            }
        }
        for (Throwable t : all) {
            if (t instanceof RepositoryOfflineException) {
                return coordinates + " is not in the local Maven repository and Maven is offline; go online once, or fetch it with: "
                        + "mvn dependency:get -Dartifact=" + coordinates;
            }
        }
        for (Throwable t : all) {
            if (t instanceof ArtifactNotFoundException) return coordinates + " was not found in " + where;
        }
        Throwable root = all.getLast();
        for (Throwable t : all) if (t instanceof IOException) root = t; // the deepest I/O error says most
        String why = root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
        return "could not download " + coordinates + " from " + where + " (" + why + "); check the network, or the proxy/mirror in "
                + "~/.m2/settings.xml — or put the jar in place with: mvn dependency:get -Dartifact=" + coordinates;
    }

    /** The resolver's transfer events as progress, for the jar only (not its checksum files). */
    private static final class ProgressTransfers extends AbstractTransferListener {
        private final String label;
        private final ProgressListener progress;

        ProgressTransfers(String label, ProgressListener progress) {
            this.label = label;
            this.progress = progress;
        }

        private static boolean isJar(TransferEvent event) {
            return event.getRequestType() == TransferEvent.RequestType.GET
                    && event.getResource().getResourceName().endsWith(".jar");
        }

        @Override
        public void transferStarted(TransferEvent event) {
            if (isJar(event)) progress.start("downloading " + label, event.getResource().getContentLength());
        }

        @Override
        public void transferProgressed(TransferEvent event) {
            if (isJar(event)) progress.update(event.getTransferredBytes());
        }

        @Override
        public void transferSucceeded(TransferEvent event) {
            if (isJar(event)) progress.finish();
        }

        @Override
        public void transferFailed(TransferEvent event) {
            if (isJar(event)) progress.finish();
        }
    }

    @Override
    public String toString() {
        return "MavenArtifacts[local=" + localRepository + ", remote=" + remoteUrl + (offline ? ", offline" : "") + "]";
    }
}
