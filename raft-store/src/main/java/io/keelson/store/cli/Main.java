package io.keelson.store.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code bin/keelson} launcher. */
@Command(name = "keelson", mixinStandardHelpOptions = true, version = "keelson 0.1.0",
        description = "Keelson: an embeddable, Raft-replicated MVCC key-value store with etcd v3 semantics.",
        subcommands = {DemoCommand.class, MemberCommand.class})
public final class Main implements Runnable {
    // the gRPC copy inside Ratis logs start-up details through java.util.logging at INFO; a strong
    // reference keeps the level (java.util.logging holds loggers weakly)
    private static final java.util.logging.Logger GRPC_LOG =
            java.util.logging.Logger.getLogger("org.apache.ratis.thirdparty.io.grpc");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
        System.exit(new CommandLine(new Main()).execute(args));
    }
}
