package io.keelson.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Flags that etcd refuses are refused here too, with etcd's message, before anything starts. */
class MainTest {
    @TempDir
    Path dir;

    private record Run(int exitCode, String err) {
    }

    private Run run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main()).setErr(new PrintWriter(err));
        String[] all = new String[args.length + 2];
        all[0] = "--data-dir";
        all[1] = dir.resolve("data").toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return new Run(cli.execute(all), err.toString());
    }

    @Test
    void electionTimeoutMustBeFiveHeartbeats() {
        Run run = run("--heartbeat-interval", "250", "--election-timeout", "1000");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains(
                "--election-timeout[1000ms] should be at least as 5 times as --heartbeat-interval[250ms]");
        assertThat(Files.exists(dir.resolve("data"))).as("nothing was started").isFalse();
    }

    @Test
    void timingsMustBePositiveAndBounded() {
        assertThat(run("--heartbeat-interval", "0").err()).contains("--heartbeat-interval must be >0 (set to 0ms)");
        assertThat(run("--election-timeout", "60000").err())
                .contains("--election-timeout[60000ms] is too long, and should be set less than 50000ms");
    }

    @Test
    void launcherFlags_withValuesKeelsonCannotHonour_areRefusedClearly() {
        assertThat(run("--logger", "glog").err()).contains("unknown logger option \"glog\"");
        assertThat(run("--log-outputs", "/var/log/etcd.log").err())
                .contains("--log-outputs: Keelson logs to stderr (default) or stdout, not to '/var/log/etcd.log'");
        assertThat(run("--metrics", "everything").err()).contains("--metrics must be basic or extensive");
        assertThat(run("--auth-token", "oauth").err()).contains("--auth-token: expected simple or jwt,..., not 'oauth'");
        assertThat(run("--auth-token", "jwt,pub-key=k.pub,priv-key=k.pem,sign-method=HS256").err())
                .contains("jwt sign-method must be one of [RS256");
        assertThat(run("--auth-token", "jwt,pub-key=k.pub,priv-key=k.pem,sign-method=RS256,ttl=soon").err())
                .contains("jwt ttl: expected a duration such as 300s, 5m or 1h, got 'soon'");
        assertThat(run("--bcrypt-cost", "3").err()).contains("bcryptCost must be between 4 and 31: 3");
        assertThat(run("--auth-token-ttl", "0").err()).contains("authTokenTtl must be at least 1 s");
        assertThat(run("--grpc-keepalive-min-time", "soon").err()).contains(
                "--grpc-keepalive-min-time: expected a positive duration such as 500ms, 5s or 2h, got 'soon'");
        assertThat(run("--max-concurrent-streams", "0").err()).contains("--max-concurrent-streams must be at least 1");
        assertThat(run("--experimental-watch-progress-notify-interval", "often").err()).contains(
                "--experimental-watch-progress-notify-interval: expected a positive duration");
        assertThat(Files.exists(dir.resolve("data"))).as("nothing was started").isFalse();
    }

    @Test
    void tlsFlags_areCheckedAsEtcdChecksThem() {
        assertThat(run("--listen-client-urls", "https://127.0.0.1:2379").err()).contains("TLS key/cert (--cert-file,"
                + " --key-file) must be provided for client url https://127.0.0.1:2379 with HTTPS scheme");
        assertThat(run("--listen-client-urls", "https://127.0.0.1:2379,http://127.0.0.1:2381", "--cert-file", "c",
                "--key-file", "k").err()).contains("--listen-client-urls: http and https URLs cannot be mixed");
        assertThat(run("--listen-client-urls", "https://127.0.0.1:2379", "--cert-file", "c", "--key-file", "k",
                "--client-cert-auth").err()).contains("--client-cert-auth needs --trusted-ca-file");
        assertThat(run("--listen-client-urls", "ftp://127.0.0.1:2379").err()).contains(
                "--listen-client-urls: expected http://host:port or https://host:port, got 'ftp://127.0.0.1:2379'");
        assertThat(run("--initial-cluster", "default=ftp://127.0.0.1:2380").err()).contains(
                "--initial-cluster: expected http://host:port or https://host:port, got 'ftp://127.0.0.1:2380'");
        String httpsPeers = "--initial-cluster=default=https://127.0.0.1:2380";
        assertThat(run(httpsPeers, "--listen-peer-urls", "https://127.0.0.1:2380", "--initial-advertise-peer-urls",
                "https://127.0.0.1:2380").err()).contains("TLS key/cert (--peer-cert-file, --peer-key-file) must be"
                + " provided for peer url https://127.0.0.1:2380 with HTTPS scheme");
        assertThat(run(httpsPeers).err()).contains("peer URLs: http and https cannot be mixed");
        assertThat(run(httpsPeers, "--listen-peer-urls", "https://127.0.0.1:2380", "--initial-advertise-peer-urls",
                "https://127.0.0.1:2380", "--peer-cert-file", "c", "--peer-key-file", "k").err())
                .contains("--peer-trusted-ca-file is needed for https peer URLs");
        assertThat(Files.exists(dir.resolve("data"))).as("nothing was started").isFalse();
    }

    @Test
    void unknownFlagsAreRefused() {
        Run run = run("--no-such-flag");

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("Unknown option: '--no-such-flag'");
    }
}
