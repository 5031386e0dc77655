package io.keelson.cli;

import io.keelson.store.KeelsonStore;
import io.keelson.store.auth.JwtTokens;
import io.keelson.store.Peer;
import io.keelson.store.PeerTls;
import io.keelson.store.StoreConfig;
import io.keelson.store.StoreMember;
import io.keelson.store.raft.SelfSignedCertificate;
import io.keelson.store.server.AutoCompaction;
import io.keelson.store.server.EtcdServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The {@code bin/keelson} launcher. Without a subcommand it runs a store member serving etcd's v3
 * gRPC API, with etcd's flag names and defaults (a single member on 127.0.0.1:2379).
 */
@Command(name = "keelson", mixinStandardHelpOptions = true, version = "keelson 0.1.0",
        description = "Keelson: a Raft-replicated MVCC key-value store speaking etcd's v3 API.",
        subcommands = {DemoCommand.class, KernelCommand.class, MemberCommand.class, SnapshotCommand.class})
public final class Main implements Callable<Integer> {
    /** The data dir's directories of the self-signed certificates, as etcd names them. */
    private static final String CLIENT_FIXTURES = "fixtures/client";
    private static final String PEER_FIXTURES = "fixtures/peer";
    /** etcd's upper bound for the election timeout. */
    private static final long MAX_ELECTION_TIMEOUT_MS = 50_000;
    // the gRPC copy inside Ratis logs start-up details through java.util.logging at INFO; a strong
    // reference keeps the level (java.util.logging holds loggers weakly)
    private static final java.util.logging.Logger GRPC_LOG =
            java.util.logging.Logger.getLogger("org.apache.ratis.thirdparty.io.grpc");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--name", defaultValue = "default", description = "Human-readable name for this member.")
    String name;

    @Option(names = "--data-dir", description = "Path to the data directory (default: ./<name>.keelson).")
    Path dataDir;

    @Option(names = "--listen-client-urls", split = ",", defaultValue = "http://127.0.0.1:2379",
            description = "URLs to listen on for client traffic.")
    List<URI> listenClientUrls;

    @Option(names = "--advertise-client-urls", split = ",", defaultValue = "http://127.0.0.1:2379",
            description = "Client URLs of this member, advertised in the member list.")
    List<String> advertiseClientUrls;

    @Option(names = "--listen-peer-urls", split = ",", defaultValue = "http://127.0.0.1:2380",
            description = "URLs to listen on for peer (Raft) traffic.")
    List<URI> listenPeerUrls;

    @Option(names = "--initial-advertise-peer-urls", split = ",", defaultValue = "http://127.0.0.1:2380",
            description = "This member's peer URLs, as the others reach it.")
    List<URI> initialAdvertisePeerUrls;

    @Option(names = "--initial-cluster", description = "Every member as name=peerURL, comma separated "
            + "(default: <name>=<initial-advertise-peer-urls>).")
    String initialCluster;

    @Option(names = "--initial-cluster-state", defaultValue = "new",
            description = "new, or existing: a member without data joins the running cluster of the other "
                    + "--initial-cluster members, which added it (etcdctl member add).")
    String initialClusterState;

    @Option(names = "--initial-cluster-token", defaultValue = "etcd-cluster",
            description = "Accepted for etcd compatibility; the member list identifies the cluster.")
    String initialClusterToken;

    @Option(names = "--max-request-bytes", defaultValue = "1572864", description = "Largest accepted request.")
    long maxRequestBytes;

    @Option(names = "--quota-backend-bytes", defaultValue = "0",
            description = "Raise the NOSPACE alarm and refuse writes when the state database exceeds this many"
                    + " bytes (0: etcd's default, 2 GiB).")
    long quotaBackendBytes;

    @Option(names = "--snapshot-count", defaultValue = "10000", description = "Applied entries between snapshots.")
    long snapshotCount;

    @Option(names = "--heartbeat-interval", defaultValue = "100",
            description = "How often the leader sends idle followers a heartbeat (ms).")
    long heartbeatInterval;

    @Option(names = "--election-timeout", defaultValue = "1000", description = "Election timeout (ms).")
    long electionTimeout;

    @Option(names = "--auto-compaction-mode", defaultValue = "periodic", description = "periodic or revision.")
    String autoCompactionMode;

    @Option(names = "--auto-compaction-retention", defaultValue = "0",
            description = "History to keep: hours or a duration (e.g. 30m) in periodic mode, a revision count in "
                    + "revision mode; 0 turns automatic compaction off.")
    String autoCompactionRetention;

    @Option(names = "--log-level", defaultValue = "info", description = "debug, info, warn or error.")
    String logLevel;

    @Option(names = "--max-txn-ops", defaultValue = "128", description = "Most operations in one transaction"
            + " branch (default: ${DEFAULT-VALUE}).")
    int maxTxnOps;

    @Option(names = "--listen-metrics-urls", split = ",", description = "Also serve /metrics and /health as plain"
            + " HTTP on these URLs (they are always on the client URLs too).")
    List<URI> listenMetricsUrls = new ArrayList<>();

    @Option(names = "--max-concurrent-streams", defaultValue = "4294967295", description = "Most concurrent"
            + " calls on one client connection (default: no limit).")
    long maxConcurrentStreams;

    @Option(names = "--grpc-keepalive-min-time", defaultValue = "5s", description = "The shortest interval"
            + " between client keepalive pings the server allows (default: ${DEFAULT-VALUE}).")
    String grpcKeepaliveMinTime;

    @Option(names = "--grpc-keepalive-interval", defaultValue = "2h", description = "How long a connection may be"
            + " quiet before the server pings it (default: ${DEFAULT-VALUE}).")
    String grpcKeepaliveInterval;

    @Option(names = "--grpc-keepalive-timeout", defaultValue = "20s", description = "How long the server waits"
            + " for a ping's answer before closing (default: ${DEFAULT-VALUE}).")
    String grpcKeepaliveTimeout;

    @Option(names = "--logger", defaultValue = "capnslog", description = "capnslog or zap: accepted for etcd's"
            + " launchers; Keelson logs through SLF4J either way.")
    String logger;

    @Option(names = "--log-outputs", defaultValue = "default", description = "default or stderr (the same), or"
            + " stdout.")
    String logOutputs;

    @Option(names = "--debug", description = "Log at debug level (etcd's deprecated flag; --log-level debug).")
    boolean debug;

    @Option(names = "--metrics", defaultValue = "basic", description = "basic or extensive: accepted; /metrics"
            + " serves the same set either way.")
    String metricsLevel;

    @Option(names = "--auth-token", defaultValue = "simple",
            description = "Token type of etcd's auth: simple, or jwt,pub-key=<pem>,priv-key=<pem>,sign-method=RS256,"
                    + "ttl=5m (signed tokens).")
    String authToken;

    @Option(names = "--auth-token-ttl", defaultValue = "300",
            description = "Seconds an auth token stays valid without use.")
    long authTokenTtl;

    @Option(names = "--bcrypt-cost", defaultValue = "10", description = "bcrypt cost of stored passwords (4 to 31).")
    int bcryptCost;

    @Option(names = "--enable-pprof", description = "Accepted and ignored: there is no Go profiler in a JVM (use"
            + " Java Flight Recorder).")
    boolean enablePprof;

    @Option(names = "--enable-v2", description = "Accepted and ignored: etcd's v2 API is not served.")
    boolean enableV2;

    @Option(names = "--strict-reconfig-check", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            description = "Accepted and ignored until membership changes are served.")
    boolean strictReconfigCheck;

    @Option(names = "--cert-file", description = "The client port's TLS certificate (PEM); needed for https"
            + " client URLs.")
    Path certFile;

    @Option(names = "--key-file", description = "The key of --cert-file (PEM: PKCS#8, RSA or EC).")
    Path keyFile;

    @Option(names = "--trusted-ca-file", description = "CA bundle (PEM) for client certificates: clients must"
            + " present one it signed, as in etcd.")
    Path trustedCaFile;

    @Option(names = "--client-cert-auth", description = "Require client certificates signed by --trusted-ca-file.")
    boolean clientCertAuth;

    @Option(names = "--peer-cert-file", description = "This member's certificate (PEM) for https peer URLs.")
    Path peerCertFile;

    @Option(names = "--peer-key-file", description = "The key of --peer-cert-file (PEM: PKCS#8, RSA or EC).")
    Path peerKeyFile;

    @Option(names = "--peer-trusted-ca-file", description = "CA (PEM) that signs the members' certificates.")
    Path peerTrustedCaFile;

    @Option(names = "--peer-client-cert-auth", description = "Members present their certificate to each other"
            + " (mutual TLS).")
    boolean peerClientCertAuth;

    @Option(names = "--auto-tls", description = "With https client URLs and no --cert-file: serve with a"
            + " self-signed certificate made in <data-dir>/fixtures/client (clients skip verification).")
    boolean autoTls;

    @Option(names = "--peer-auto-tls", description = "With https peer URLs and no --peer-cert-file: self-signed"
            + " certificates in <data-dir>/fixtures/peer; members encrypt but do not verify each other.")
    boolean peerAutoTls;

    @Option(names = "--experimental-watch-progress-notify-interval", defaultValue = "10m", description = "How often"
            + " idle watches that asked for progress notifications get one (default: ${DEFAULT-VALUE}).")
    String watchProgressNotifyInterval;

    @Option(names = "--experimental-initial-corrupt-check", arity = "0..1", fallbackValue = "true",
            description = "Accepted and ignored: members do not compare their state's hashes at start-up.")
    boolean initialCorruptCheck;

    @Option(names = "--experimental-corrupt-check-time", defaultValue = "0s", description = "Accepted and ignored:"
            + " members do not compare their hashes periodically.")
    String corruptCheckTime;

    @Option(names = "--experimental-compaction-batch-limit", defaultValue = "1000", description = "Accepted and"
            + " ignored: a compaction is applied in one write batch.")
    int compactionBatchLimit;

    @Option(names = "--max-snapshots", defaultValue = "5", description = "Accepted and ignored: the Raft log"
            + " keeps its own snapshots and segments.")
    int maxSnapshots;

    @Option(names = "--max-wals", defaultValue = "5", description = "Accepted and ignored, as --max-snapshots.")
    int maxWals;

    public static void main(String[] args) {
        GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        StoreConfig config = config();
        EtcdServer.Transport transport = transport();
        EtcdServer.ClientTls tls = clientTls(config.dataDir());
        AutoCompaction.Policy compaction = compactionPolicy();
        // the self-signed certificates of --auto-tls and --peer-auto-tls, made once the data dir may be written
        if (tls != null && autoCertificate(config.dataDir(), CLIENT_FIXTURES).equals(tls.certFile())) {
            SelfSignedCertificate.in(config.dataDir().resolve(CLIENT_FIXTURES), hosts(listenClientUrls), false);
        }
        if (config.peerTls() != null && config.peerTls().trustedCaFile() == null) {
            SelfSignedCertificate.in(config.dataDir().resolve(PEER_FIXTURES), hosts(ownPeerUrls()), true);
        }
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", debug ? "debug" : logLevel);
        if (logOutputs.equals("stdout")) {
            System.setProperty("org.slf4j.simpleLogger.logFile", "System.out");
        }
        List<InetSocketAddress> listen = new ArrayList<>();
        for (URI u : listenClientUrls) {
            listen.add(address(u, "--listen-client-urls"));
        }
        StoreMember member;
        try {
            member = KeelsonStore.open(config);
        } catch (UncheckedIOException | IllegalStateException e) {
            System.err.println("keelson: cannot start member '" + name + "' with data dir " + config.dataDir() + ": "
                    + e.getMessage());
            return 1;
        }
        EtcdServer server;
        try {
            server = EtcdServer.start(member, listen, advertiseClientUrls, transport, tls);
        } catch (IOException e) {
            member.close();
            System.err.println("keelson: cannot listen on " + listenClientUrls + ": " + e.getMessage());
            return 1;
        }
        List<InetSocketAddress> metricsListen = new ArrayList<>();
        for (URI u : listenMetricsUrls) {
            metricsListen.add(address(u, "--listen-metrics-urls"));
        }
        try {
            server.serveMetrics(metricsListen);
        } catch (IOException e) {
            server.close();
            member.close();
            System.err.println("keelson: cannot listen on " + listenMetricsUrls + ": " + e.getMessage());
            return 1;
        }
        AutoCompaction autoCompaction = compaction == null ? null : AutoCompaction.start(member, compaction);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (autoCompaction != null) {
                autoCompaction.close();
            }
            server.close();
            member.close();
            stopped.countDown();
        }, "keelson-shutdown"));
        member.removal().thenRunAsync(() -> {
            // as etcd's member: once removed, it stops, and the process ends (its shutdown hook closes the member)
            System.err.println("keelson: the member has been permanently removed from the cluster");
            System.exit(0);
        }, task -> new Thread(task, "keelson-removed").start());
        System.err.println("keelson: member " + name + " serving etcd v3 clients on " + listenClientUrls
                + ", data in " + config.dataDir());
        System.err.println("keelson: ready to serve client requests"); // the line etcd's launchers wait for
        stopped.await();
        return 0;
    }

    private AutoCompaction.Policy compactionPolicy() {
        try {
            return AutoCompaction.Policy.parse(autoCompactionMode, autoCompactionRetention);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private StoreConfig config() {
        if (!initialClusterState.equals("new") && !initialClusterState.equals("existing")) {
            throw new ParameterException(spec.commandLine(),
                    "--initial-cluster-state must be 'new' or 'existing', not '" + initialClusterState + "'");
        }
        if (!List.of("debug", "info", "warn", "error").contains(logLevel)) {
            throw new ParameterException(spec.commandLine(), "--log-level must be debug, info, warn or error");
        }
        if (!List.of("capnslog", "zap").contains(logger)) {
            throw new ParameterException(spec.commandLine(), "unknown logger option \"" + logger + "\"");
        }
        if (!List.of("default", "stderr", "stdout").contains(logOutputs)) {
            throw new ParameterException(spec.commandLine(), "--log-outputs: Keelson logs to stderr (default) or"
                    + " stdout, not to '" + logOutputs + "'");
        }
        if (!authToken.equals("simple") && !authToken.split(",")[0].equals("jwt")) {
            throw new ParameterException(spec.commandLine(), "--auth-token: expected simple or jwt,..., not '"
                    + authToken + "'");
        }
        if (!List.of("basic", "extensive").contains(metricsLevel)) {
            throw new ParameterException(spec.commandLine(), "--metrics must be basic or extensive");
        }
        checkTiming();
        String cluster = initialCluster != null ? initialCluster : name + "=" + initialAdvertisePeerUrls.get(0);
        List<Peer> peers = new ArrayList<>();
        for (String entry : cluster.split(",")) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(spec.commandLine(), "--initial-cluster: expected name=URL, got '"
                        + entry + "'");
            }
            InetSocketAddress a = address(URI.create(entry.substring(eq + 1).trim()), "--initial-cluster");
            peers.add(new Peer(entry.substring(0, eq).trim(), a.getHostString(), a.getPort()));
        }
        Path dir = dataDir != null ? dataDir : Path.of(name + ".keelson");
        PeerTls peerTls = peerTls(cluster, dir);
        try {
            StoreConfig config = StoreConfig.member(dir, name, peers);
            return (initialClusterState.equals("existing") ? config.withJoinExisting() : config)
                    .withPeerTls(peerTls)
                    .withMaxRequestBytes(maxRequestBytes)
                    .withMaxTxnOps(maxTxnOps)
                    .withQuotaBackendBytes(quotaBackendBytes == 0 ? StoreConfig.DEFAULT_QUOTA_BACKEND_BYTES
                            : quotaBackendBytes)
                    .withSnapshotCount(snapshotCount, Math.min(5000, snapshotCount))
                    .withElectionTimeout(Duration.ofMillis(electionTimeout))
                    .withWatchProgressInterval(goDuration("--experimental-watch-progress-notify-interval",
                            watchProgressNotifyInterval))
                    .withHeartbeatInterval(Duration.ofMillis(heartbeatInterval))
                    .withAuth(Duration.ofSeconds(authTokenTtl), bcryptCost)
                    .withJwtTokens(authToken.equals("simple") ? null : JwtTokens.parse(authToken));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private EtcdServer.Transport transport() {
        if (maxConcurrentStreams < 1) {
            throw new ParameterException(spec.commandLine(), "--max-concurrent-streams must be at least 1");
        }
        return new EtcdServer.Transport((int) Math.min(Integer.MAX_VALUE, maxConcurrentStreams),
                goDuration("--grpc-keepalive-min-time", grpcKeepaliveMinTime),
                goDuration("--grpc-keepalive-interval", grpcKeepaliveInterval),
                goDuration("--grpc-keepalive-timeout", grpcKeepaliveTimeout));
    }

    /**
     * TLS for the client URLs, as etcd's flags set it: https URLs need a certificate and key; with http URLs they
     * are ignored, with etcd's warning. One port serves one scheme here, so http and https URLs cannot be mixed.
     */
    private EtcdServer.ClientTls clientTls(Path dir) {
        boolean https = listenClientUrls.stream().anyMatch(u -> "https".equals(u.getScheme()));
        boolean http = listenClientUrls.stream().anyMatch(u -> !"https".equals(u.getScheme()));
        if (https && http) {
            throw new ParameterException(spec.commandLine(), "--listen-client-urls: http and https URLs cannot be"
                    + " mixed (all client URLs share one TLS setting): " + listenClientUrls);
        }
        if (!https) {
            if (certFile != null || keyFile != null) {
                System.err.println("keelson: scheme is HTTP while key and cert files are present; ignoring key and"
                        + " cert files");
            }
            if (clientCertAuth) {
                System.err.println("keelson: scheme is HTTP while --client-cert-auth is enabled; ignoring client"
                        + " cert auth");
            }
            return null;
        }
        if (certFile == null || keyFile == null) {
            if (autoTls) {
                return new EtcdServer.ClientTls(autoCertificate(dir, CLIENT_FIXTURES),
                        dir.resolve(CLIENT_FIXTURES).resolve("key.pem"), trustedCaFile);
            }
            throw new ParameterException(spec.commandLine(), "TLS key/cert (--cert-file, --key-file) must be provided"
                    + " for client url " + listenClientUrls.get(0) + " with HTTPS scheme");
        }
        if (autoTls) {
            System.err.println("keelson: ignoring client auto TLS since certs given");
        }
        if (clientCertAuth && trustedCaFile == null) {
            throw new ParameterException(spec.commandLine(), "--client-cert-auth needs --trusted-ca-file: the CA"
                    + " that signs the clients' certificates");
        }
        return new EtcdServer.ClientTls(certFile, keyFile, trustedCaFile);
    }

    /**
     * TLS between the members: https peer URLs need this member's certificate, key and the CA of the members'
     * certificates; with http URLs the peer certificate flags are ignored, as etcd ignores them.
     */
    private PeerTls peerTls(String cluster, Path dir) {
        List<URI> urls = ownPeerUrls();
        for (String entry : cluster.split(",")) {
            urls.add(URI.create(entry.substring(entry.indexOf('=') + 1).trim()));
        }
        boolean https = urls.stream().anyMatch(u -> "https".equals(u.getScheme()));
        if (https && urls.stream().anyMatch(u -> !"https".equals(u.getScheme()))) {
            throw new ParameterException(spec.commandLine(), "peer URLs: http and https cannot be mixed (every member"
                    + " speaks one scheme to the others): " + urls);
        }
        if (!https) {
            if (peerCertFile != null || peerKeyFile != null) {
                System.err.println("keelson: scheme is HTTP while peer key and cert files are present; ignoring key"
                        + " and cert files");
            }
            return null;
        }
        if (peerCertFile == null || peerKeyFile == null) {
            if (peerAutoTls) {
                return new PeerTls(autoCertificate(dir, PEER_FIXTURES), dir.resolve(PEER_FIXTURES).resolve("key.pem"),
                        null, false);
            }
            throw new ParameterException(spec.commandLine(), "TLS key/cert (--peer-cert-file, --peer-key-file) must be"
                    + " provided for peer url " + urls.get(0) + " with HTTPS scheme");
        }
        if (peerTrustedCaFile == null) {
            throw new ParameterException(spec.commandLine(), "--peer-trusted-ca-file is needed for https peer URLs"
                    + " with --peer-cert-file: the CA that signs the members' certificates");
        }
        return new PeerTls(peerCertFile, peerKeyFile, peerTrustedCaFile, peerClientCertAuth);
    }

    /** Where --auto-tls and --peer-auto-tls keep their certificate, as etcd does. */
    private static Path autoCertificate(Path dir, String fixtures) {
        return dir.resolve(fixtures).resolve("cert.pem");
    }

    /** The hosts of {@code urls}, for a self-signed certificate's names. */
    private static List<String> hosts(List<URI> urls) {
        return urls.stream().map(URI::getHost).distinct().toList();
    }

    /** This member's own peer URLs: those it listens on and those it advertises. */
    private List<URI> ownPeerUrls() {
        List<URI> urls = new ArrayList<>(listenPeerUrls);
        urls.addAll(initialAdvertisePeerUrls);
        return urls;
    }

    /** A Go duration as etcd's flags take them: {@code 500ms}, {@code 5s}, {@code 2h}, {@code 1h30m}. */
    private Duration goDuration(String flag, String text) {
        try {
            Duration d = text.matches("\\d+ms") ? Duration.ofMillis(Long.parseLong(text.substring(0,
                    text.length() - 2))) : Duration.parse("PT" + text.toUpperCase(java.util.Locale.ROOT));
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (RuntimeException e) {
            // the message below
        }
        throw new ParameterException(spec.commandLine(), flag + ": expected a positive duration such as 500ms, 5s"
                + " or 2h, got '" + text + "'");
    }

    /** etcd's rules for the two Raft timings, with its messages. */
    private void checkTiming() {
        if (heartbeatInterval <= 0) {
            throw new ParameterException(spec.commandLine(), "--heartbeat-interval must be >0 (set to "
                    + heartbeatInterval + "ms)");
        }
        if (electionTimeout <= 0) {
            throw new ParameterException(spec.commandLine(), "--election-timeout must be >0 (set to "
                    + electionTimeout + "ms)");
        }
        if (5 * heartbeatInterval > electionTimeout) {
            throw new ParameterException(spec.commandLine(), "--election-timeout[" + electionTimeout
                    + "ms] should be at least as 5 times as --heartbeat-interval[" + heartbeatInterval + "ms]");
        }
        if (electionTimeout > MAX_ELECTION_TIMEOUT_MS) {
            throw new ParameterException(spec.commandLine(), "--election-timeout[" + electionTimeout
                    + "ms] is too long, and should be set less than " + MAX_ELECTION_TIMEOUT_MS + "ms");
        }
    }

    private InetSocketAddress address(URI u, String flag) {
        boolean https = flag.equals("--listen-client-urls") || flag.equals("--initial-cluster");
        if (u.getHost() == null || u.getPort() <= 0 || !(https ? List.of("http", "https") : List.of("http"))
                .contains(u.getScheme())) {
            throw new ParameterException(spec.commandLine(), flag + ": expected http://host:port"
                    + (https ? " or https://host:port" : "") + ", got '" + u + "'");
        }
        return new InetSocketAddress(u.getHost(), u.getPort());
    }
}
