package io.keelson.store.raft;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import io.keelson.store.mvcc.MvccStore;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

/**
 * Snapshots are RocksDB checkpoints in {@code <raft storage>/sm/snapshot.<term>_<index>/}. Ratis sends
 * these files to a follower that is behind the purged log and, once they arrived, swaps its whole
 * {@code sm} directory for them; that is why the live database lives outside the Raft storage.
 */
final class SnapshotStore implements StateMachineStorage {
    private static final Pattern NAME = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
    private static final int RETAINED = 2;

    private volatile Path smDir;
    private volatile FileListSnapshotInfo latest;

    @Override
    public void init(RaftStorage storage) throws IOException {
        smDir = storage.getStorageDir().getStateMachineDir().toPath();
        reload();
    }

    /** Re-reads the directory (after a snapshot was taken or installed). */
    void reload() throws IOException {
        latest = null;
        for (Path dir : snapshotDirs()) {
            Matcher m = NAME.matcher(dir.getFileName().toString());
            if (!m.matches()) {
                continue;
            }
            TermIndex ti = TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
            if (latest == null || ti.getIndex() > latest.getIndex()) {
                latest = new FileListSnapshotInfo(files(dir), ti);
            }
        }
    }

    private List<Path> snapshotDirs() throws IOException {
        if (smDir == null || !Files.isDirectory(smDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(smDir)) {
            return s.filter(p -> Files.isDirectory(p) && NAME.matcher(p.getFileName().toString()).matches())
                    .toList();
        }
    }

    private static List<FileInfo> files(Path dir) throws IOException {
        List<FileInfo> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : (Iterable<Path>) s.sorted()::iterator) {
                if (!f.getFileName().toString().endsWith(".md5")) {
                    out.add(new FileInfo(f.toAbsolutePath(), null));
                }
            }
        }
        return out;
    }

    /** Where a new snapshot at {@code ti} goes. */
    Path dirFor(TermIndex ti) {
        return smDir.resolve("snapshot." + ti.getTerm() + "_" + ti.getIndex());
    }

    /** The directory of a snapshot this store listed. */
    Path dirOf(SnapshotInfo info) {
        return info.getFiles().isEmpty() ? dirFor(info.getTermIndex())
                : info.getFiles().get(0).getPath().getParent();
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return latest;
    }

    @Override
    public void format() {
    }

    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
        List<Path> dirs = new ArrayList<>(snapshotDirs());
        dirs.sort(Comparator.comparingLong(SnapshotStore::indexOf).reversed());
        for (Path old : dirs.subList(Math.min(RETAINED, dirs.size()), dirs.size())) {
            MvccStore.deleteTree(old);
        }
    }

    private static long indexOf(Path dir) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(2)) : -1;
    }

    @Override
    public File getSnapshotDir() {
        return null; // Ratis then installs into the state-machine directory itself
    }

    @Override
    public File getTmpDir() {
        return null;
    }
}
