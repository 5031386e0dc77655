package io.keelson.bench;

import java.lang.management.ManagementFactory;

/** What the benchmarks measure of their own JVM: process CPU time and the heap in use. */
final class JvmStats {
    private JvmStats() {
    }

    /** CPU time of the whole process (all threads), in nanoseconds; 0 where the JVM does not tell. */
    static long cpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    /** Heap in use after three full collections. */
    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
