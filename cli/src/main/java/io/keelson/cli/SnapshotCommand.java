package io.keelson.cli;

import io.keelson.store.server.SnapshotArchive;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keelson snapshot restore}: a data dir for a new cluster from an {@code etcdctl snapshot save} file. */
@Command(name = "snapshot", mixinStandardHelpOptions = true, description = "Work with snapshot files.",
        subcommands = SnapshotCommand.Restore.class)
final class SnapshotCommand {
    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Create a member's data dir from a snapshot file (written by `etcdctl snapshot save` "
                    + "against Keelson). Restore the same file for every member, then start them as a new cluster.")
    static final class Restore implements Callable<Integer> {
        @Parameters(index = "0", description = "The snapshot file.")
        Path file;

        @Option(names = "--data-dir", required = true, description = "The data dir to create (must not hold data).")
        Path dataDir;

        @Override
        public Integer call() {
            try {
                SnapshotArchive.restore(file, dataDir);
            } catch (NoSuchFileException e) {
                System.err.println("keelson: snapshot restore failed: no such file: " + e.getMessage());
                return 1;
            } catch (IOException e) {
                System.err.println("keelson: snapshot restore failed: " + e.getMessage());
                return 1;
            }
            System.out.println("restored snapshot " + file + " into " + dataDir);
            return 0;
        }
    }
}
