package io.keelson.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** A stream that starts every line with the seconds since it was made: the demo's narration, timestamped. */
final class StampedOutput extends FilterOutputStream {
    private final long start = System.nanoTime();
    private boolean lineStart = true;

    private StampedOutput(OutputStream out) {
        super(out);
    }

    static PrintStream around(PrintStream out) {
        return new PrintStream(new StampedOutput(out), true, StandardCharsets.UTF_8);
    }

    @Override
    public void write(int b) throws IOException {
        if (lineStart && b != '\n') {
            out.write(String.format("[%5.1fs] ", (System.nanoTime() - start) / 1e9).getBytes(StandardCharsets.UTF_8));
        }
        out.write(b);
        lineStart = b == '\n';
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }
}
