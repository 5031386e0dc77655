package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaintenanceServiceTest {
    @TempDir
    Path dataDir;

    @Test
    void startingTheService_removesSnapshotCopiesAKilledProcessLeftBehind_andNothingElse() throws Exception {
        Path leftover = Files.createDirectories(dataDir.resolve("snapshot-4711").resolve("db"));
        Files.writeString(leftover.resolve("000001.sst"), "data");
        Path state = Files.createDirectories(dataDir.resolve("state"));
        Path raft = Files.createDirectories(dataDir.resolve("raft").resolve("snapshot-1"));

        MaintenanceService.removeLeftoverSnapshots(dataDir);

        assertThat(dataDir.resolve("snapshot-4711")).doesNotExist();
        assertThat(state).isDirectory();
        assertThat(raft).isDirectory();
    }
}
