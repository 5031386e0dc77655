package io.keelson.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/keelson kernel} as an operator runs it: the manifest applied at start, pods scheduled and running on
 * simulated nodes, everything visible to an etcd client under /registry/; started again on the same data, the
 * objects are taken up and the manifest left as it is. Every node also runs the static pods of
 * {@code --pod-manifest-path}.
 */
class KernelCommandIT {
    @TempDir
    Path dir;

    private Process start(int port, Path log) throws Exception {
        Path manifest = Path.of(System.getProperty("user.dir")).resolve("../examples/web.yaml").normalize();
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "io.keelson.cli.Main", "kernel", "--data-dir",
                dir.resolve("data").toString(), "--listen-client-urls", "http://127.0.0.1:" + port, "--nodes", "2",
                "--start-delay", "200ms", "--manifest", manifest.toString(), "--pod-manifest-path",
                dir.resolve("static").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private static long startedRuns(Path log) throws java.io.IOException {
        return Files.readString(log).lines().filter(l -> l.contains("kernel running with")).count();
    }

    private static List<KeyValue> prefix(Client client, String prefix) throws Exception {
        ByteSequence key = ByteSequence.from(prefix, StandardCharsets.UTF_8);
        return client.getKVClient().get(key, GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS)
                .getKvs();
    }

    private static boolean runningPods(Client client, int count) throws Exception {
        List<KeyValue> pods = prefix(client, "/registry/pods/shop/");
        return pods.size() == count && pods.stream().allMatch(kv -> kv.getValue().toString(StandardCharsets.UTF_8)
                .contains("\"phase\":\"Running\""));
    }

    @Test
    void theKernelRunsTheManifest_andEtcdClientsSeeItsObjects_acrossARestart() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("kernel.log");
        Files.createDirectories(dir.resolve("static"));
        Files.writeString(dir.resolve("static/agent.yaml"), """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: agent
                  namespace: kube-system
                spec:
                  containers:
                  - name: agent
                    image: agent:1
                """);
        for (int run = 1; run <= 2; run++) {
            Process kernel = start(port, log);
            try (Client client = Client.builder().endpoints("http://127.0.0.1:" + port).build()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                boolean running = false;
                while (!running && System.nanoTime() < deadline && kernel.isAlive()) {
                    try {
                        // this run's own start finished (a restart finds the last run's pods Running at once)
                        running = startedRuns(log) == run && runningPods(client, 6);
                    } catch (Exception notYet) {
                        // the port opens a moment after the process starts
                    }
                    Thread.sleep(200);
                }
                assertThat(running).as(Files.readString(log)).isTrue();
                assertThat(prefix(client, "/registry/deployments/shop/web")).hasSize(1);
                assertThat(prefix(client, "/registry/services/specs/shop/web")).hasSize(1);
                assertThat(prefix(client, "/registry/minions/")).hasSize(2);
                assertThat(prefix(client, "/registry/endpointslices/shop/")).isNotEmpty();
                assertThat(prefix(client, "/registry/pods/kube-system/agent-kw-")).as("a mirror pod per node")
                        .hasSize(2);
            } finally {
                kernel.destroy();
                assertThat(kernel.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }
        assertThat(Files.readString(log)).contains("created Deployment shop/web")
                .contains("Deployment shop/web exists, left as it is");
    }
}
