package dev.mlm4j.hub;

import dev.mlm4j.hub.ModelResolverTest.RecordingProgress;
import dev.mlm4j.util.ProgressListener;
import org.apache.maven.settings.Mirror;
import org.apache.maven.settings.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The download path through Maven Resolver, with a {@code file:} "remote" repository in a temp folder standing in
 * for Maven Central (the resolver verifies checksums only when it downloads).
 */
class MavenArtifactsTest {

    @TempDir Path tmp;

    @Test
    void downloadsIntoTheLocalRepositoryWithProgressAndChecksums() throws IOException {
        Path remote = tmp.resolve("remote");
        byte[] jar = TestJars.onnxJar();
        TestJars.install(remote, TestJars.ONNX_COORDINATES, jar);
        Path local = tmp.resolve("local");
        MavenArtifacts maven = new MavenArtifacts(local, remote.toUri().toString(), false, new Settings());
        RecordingProgress progress = new RecordingProgress();

        Path fetched = maven.fetch(TestJars.ONNX_COORDINATES, "tiny-embed", progress);

        assertEquals(maven.localPath(TestJars.ONNX_COORDINATES), fetched);
        assertArrayEquals(jar, Files.readAllBytes(fetched));
        assertEquals(List.of("start downloading tiny-embed " + jar.length, "finish " + jar.length), progress.startsAndFinishes());
        try (var files = Files.list(fetched.getParent())) {
            System.out.println("local repository after a download: " + files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        // found locally the second time: no transfer at all, even with the remote gone
        MavenArtifacts noRemote = new MavenArtifacts(local, tmp.resolve("gone").toUri().toString(), false, new Settings());
        RecordingProgress again = new RecordingProgress();
        assertEquals(fetched, noRemote.fetch(TestJars.ONNX_COORDINATES, "tiny-embed", again));
        assertEquals(List.of(), again.startsAndFinishes());
    }

    @Test
    void aChecksumMismatchFailsTheDownloadAndKeepsNothing() throws IOException {
        Path remote = tmp.resolve("remote");
        Path jar = TestJars.install(remote, TestJars.ONNX_COORDINATES, TestJars.onnxJar());
        Files.writeString(jar.resolveSibling(jar.getFileName() + ".sha1"), "0123456789abcdef0123456789abcdef01234567");
        Files.writeString(jar.resolveSibling(jar.getFileName() + ".md5"), "0123456789abcdef0123456789abcdef");
        Path local = tmp.resolve("local");
        MavenArtifacts maven = new MavenArtifacts(local, remote.toUri().toString(), false, new Settings());

        IOException e = assertThrows(IOException.class, () -> maven.fetch(TestJars.ONNX_COORDINATES, "tiny-embed", ProgressListener.NONE));

        System.out.println("checksum mismatch: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("checksum check failed downloading " + TestJars.ONNX_COORDINATES + " from central ("
                + remote.toUri()), e.getMessage());
        assertTrue(e.getMessage().contains("0123456789abcdef0123456789abcdef01234567"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(maven.findLocal(TestJars.ONNX_COORDINATES).isEmpty(), "the corrupt download must not stay in the local repository");
    }

    @Test
    void aRepositoryWithoutChecksumsIsRefused() throws IOException {
        Path remote = tmp.resolve("remote");
        Path jar = TestJars.install(remote, TestJars.ONNX_COORDINATES, TestJars.onnxJar());
        Files.delete(jar.resolveSibling(jar.getFileName() + ".sha1"));
        Files.delete(jar.resolveSibling(jar.getFileName() + ".md5"));
        MavenArtifacts maven = new MavenArtifacts(tmp.resolve("local"), remote.toUri().toString(), false, new Settings());

        IOException e = assertThrows(IOException.class, () -> maven.fetch(TestJars.ONNX_COORDINATES, "tiny-embed", ProgressListener.NONE));

        System.out.println("no checksums: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("checksum check failed downloading "), e.getMessage());
        assertTrue(e.getMessage().contains("no checksums available"), e.getMessage());
        assertTrue(maven.findLocal(TestJars.ONNX_COORDINATES).isEmpty());
    }

    @Test
    void noNetworkIsOneClearLine() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // free once closed: connections to it are refused at once
        }
        String url = "http://127.0.0.1:" + closedPort + "/maven2/";
        MavenArtifacts maven = new MavenArtifacts(tmp.resolve("local"), url, false, new Settings());

        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> maven.fetch(TestJars.ONNX_COORDINATES, "tiny-embed", ProgressListener.NONE));
        long millis = (System.nanoTime() - t0) / 1_000_000;

        System.out.println("no network: " + millis + " ms: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("could not download " + TestJars.ONNX_COORDINATES + " from central (" + url + ") ("),
                e.getMessage());
        assertTrue(e.getMessage().contains("Connect"), e.getMessage());
        assertTrue(e.getMessage().endsWith("mvn dependency:get -Dartifact=" + TestJars.ONNX_COORDINATES), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aSilentServerTimesOutWithOneLine() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> { // accepts, then never answers
                List<java.net.Socket> held = new java.util.ArrayList<>();
                try {
                    while (true) held.add(silent.accept());
                } catch (IOException closed) {
                    held.forEach(s -> { try { s.close(); } catch (IOException ignored) { } });
                }
            });
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/maven2/";
            MavenArtifacts maven = new MavenArtifacts(tmp.resolve("local"), url, false, new Settings());
            System.setProperty("aether.transport.http.requestTimeout", "1500");
            try {
                long t0 = System.nanoTime();
                IOException e = assertThrows(IOException.class, () -> maven.fetch(TestJars.ONNX_COORDINATES, "tiny-embed", ProgressListener.NONE));
                long millis = (System.nanoTime() - t0) / 1_000_000;
                System.out.println("silent server: " + millis + " ms: " + e.getMessage());
                assertTrue(e.getMessage().startsWith("could not download " + TestJars.ONNX_COORDINATES), e.getMessage());
                assertTrue(e.getMessage().contains("timed out"), e.getMessage());
                assertTrue(millis < 20_000, millis + " ms");
            } finally {
                System.clearProperty("aether.transport.http.requestTimeout");
                silent.close();
                acceptor.join(5000);
            }
        }
    }

    @Test
    void aMissingArtifactSaysWhereItWasLookedFor() throws IOException {
        Path remote = Files.createDirectories(tmp.resolve("remote"));
        MavenArtifacts maven = new MavenArtifacts(tmp.resolve("local"), remote.toUri().toString(), false, new Settings());
        IOException e = assertThrows(IOException.class, () -> maven.fetch("dev.mlm4j.test:absent:1.0", "absent", ProgressListener.NONE));
        assertEquals("dev.mlm4j.test:absent:1.0 was not found in central (" + remote.toUri() + ")", e.getMessage());
    }

    @Test
    void settingsMirrorsAreHonoured() throws IOException {
        Path mirrorRepo = tmp.resolve("mirror");
        byte[] jar = TestJars.onnxJar();
        TestJars.install(mirrorRepo, TestJars.ONNX_COORDINATES, jar);
        Settings settings = new Settings();
        Mirror mirror = new Mirror();
        mirror.setId("company-mirror");
        mirror.setMirrorOf("*");
        mirror.setUrl(mirrorRepo.toUri().toString());
        settings.addMirror(mirror);
        // central itself is unreachable: only the mirror can deliver
        MavenArtifacts maven = new MavenArtifacts(tmp.resolve("local"), "http://127.0.0.1:9/unreachable/", false, settings);

        Path fetched = maven.fetch(TestJars.ONNX_COORDINATES, "tiny-embed", ProgressListener.NONE);

        assertArrayEquals(jar, Files.readAllBytes(fetched));
    }

    @Test
    void settingsFileGivesLocalRepositoryOfflineAndMirrors() throws IOException {
        Path user = tmp.resolve("settings.xml");
        Files.writeString(user, """
                <settings>
                  <localRepository>${user.home}/custom-m2</localRepository>
                  <offline>true</offline>
                  <mirrors><mirror><id>m</id><mirrorOf>central</mirrorOf><url>https://mirror.example/maven2</url></mirror></mirrors>
                  <profiles><profile><id>extra</id><repositories>
                    <repository><id>extra-repo</id><url>https://repo.example/releases</url></repository>
                  </repositories></profile></profiles>
                  <activeProfiles><activeProfile>extra</activeProfile></activeProfiles>
                </settings>
                """);
        Settings settings = MavenArtifacts.readSettings(user, tmp.resolve("no-global-settings.xml"));
        MavenArtifacts maven = MavenArtifacts.fromSettings(settings);

        assertEquals(Path.of(System.getProperty("user.home"), "custom-m2"), maven.localRepository());
        assertTrue(maven.offline());
        assertEquals("https://mirror.example/maven2", settings.getMirrors().getFirst().getUrl());
        assertEquals(List.of("central", "extra-repo"), maven.remoteRepositories().stream().map(r -> r.getId()).toList());

        Files.writeString(user, "<settings><localRepository>");
        IOException broken = assertThrows(IOException.class, () -> MavenArtifacts.readSettings(user, null));
        assertTrue(broken.getMessage().startsWith("cannot read the Maven settings (" + user), broken.getMessage());
    }
}
