package io.keelson.store.server;

import io.keelson.store.KeelsonStore;
import io.keelson.store.mvcc.MvccStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The file a {@code Maintenance.Snapshot} stream carries (what {@code etcdctl snapshot save} writes):
 * a zip of a member's state database copy followed, as in etcd, by the SHA-256 of everything before
 * it. {@code keelson snapshot restore} checks the hash and unpacks it.
 */
public final class SnapshotArchive {
    /** Length of the SHA-256 trailer. */
    static final int HASH_BYTES = 32;
    private static final int BLOCK_BYTES = 512;

    private SnapshotArchive() {
    }

    /**
     * Writes the archive body into the new file {@code archive}: the files of the database copy in
     * {@code dir} (a flat directory) as a zip, padded with zeros to a multiple of 512 bytes, since
     * {@code etcdctl snapshot save} recognises the hash trailer by the file size (512n + 32).
     */
    static void write(Path dir, Path archive) throws IOException {
        try (OutputStream out = Files.newOutputStream(archive, StandardOpenOption.CREATE_NEW);
             ZipOutputStream zip = new ZipOutputStream(out);
             Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                zip.putNextEntry(new ZipEntry(f.getFileName().toString()));
                Files.copy(f, zip);
                zip.closeEntry();
            }
        }
        long size = Files.size(archive);
        int padding = (int) ((BLOCK_BYTES - size % BLOCK_BYTES) % BLOCK_BYTES);
        Files.write(archive, new byte[padding], StandardOpenOption.APPEND); // zip readers stop before it
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * Creates the data dir of a member of a new cluster from the snapshot file {@code file} (see
     * {@link KeelsonStore#restore}).
     *
     * @throws IOException if the file is truncated, altered or not a snapshot, or {@code dataDir} holds data
     */
    public static void restore(Path file, Path dataDir) throws IOException {
        Path unpacked = Files.createTempDirectory("keelson-restore-");
        try {
            extract(file, unpacked.resolve("db"));
            KeelsonStore.restore(unpacked.resolve("db"), dataDir);
        } finally {
            deleteTree(unpacked);
        }
    }

    /** Checks the trailer of the snapshot file {@code file} and unpacks its database copy into {@code into}. */
    static void extract(Path file, Path into) throws IOException {
        long size = Files.size(file);
        if (size <= HASH_BYTES) {
            throw new IOException(file + " is not a Keelson snapshot (too short)");
        }
        MessageDigest sha = sha256();
        byte[] trailer;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            long left = size - HASH_BYTES;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException(file + " changed while it was read");
                }
                sha.update(buf, 0, n);
                left -= n;
            }
            trailer = in.readNBytes(HASH_BYTES);
        }
        if (!Arrays.equals(trailer, sha.digest())) {
            throw new IOException(file + ": snapshot hash mismatch (the file is truncated or corrupt)");
        }
        Files.createDirectories(into);
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(file))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                Path target = into.resolve(e.getName()).normalize();
                if (e.isDirectory() || !target.getParent().equals(into.normalize())) {
                    throw new IOException(file + ": unexpected entry " + e.getName());
                }
                Files.copy(zip, target);
            }
        }
    }

    /** Deletes a temporary directory; what cannot be deleted is left behind. */
    static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            MvccStore.deleteTree(dir);
        } catch (IOException | UncheckedIOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
