package io.keelson.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** What the benchmarks measure of their own JVM: process CPU time and the heap in use. */
final class JvmStats {
    private JvmStats() {
    }

    /** CPU time of the whole process (all threads), in nanoseconds; 0 where the JVM does not tell. */
    static long cpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    /**
     * CPU time of the live threads so far, in nanoseconds, summed per thread name with its digits dropped (the
     * store's, the kernel's and the scheduler's pools each count as one).
     */
    static Map<String, Long> cpuNanosByThreadGroup() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> byGroup = new HashMap<>();
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            long cpu = info == null ? -1 : threads.getThreadCpuTime(info.getThreadId());
            if (cpu > 0) {
                byGroup.merge(info.getThreadName().replaceAll("[0-9]+", "N"), cpu, Long::sum);
            }
        }
        byGroup.putAll(vmThreadsCpuNanos());
        return byGroup;
    }

    /**
     * CPU time of the JVM's own threads (JIT compilers, GC, VM thread), which are not Java threads: read from
     * {@code /proc/self/task} on Linux, by their 15-character names, as "(vm) name"; empty elsewhere.
     */
    private static Map<String, Long> vmThreadsCpuNanos() {
        Map<String, Long> byGroup = new HashMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) {
            return byGroup;
        }
        long tick = 10_000_000L; // USER_HZ is 100 on Linux
        for (java.io.File task : tasks) {
            try {
                String name = java.nio.file.Files.readString(task.toPath().resolve("comm")).strip();
                if (!name.startsWith("C1 Compiler") && !name.startsWith("C2 Compiler") && !name.startsWith("GC Thread")
                        && !name.startsWith("G1 ") && !name.equals("VM Thread")) {
                    continue;
                }
                String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                byGroup.merge("(vm) " + name.replaceAll("[0-9]+", "N"), ticks * tick, Long::sum);
            } catch (java.io.IOException | RuntimeException e) {
                // the thread ended meanwhile
            }
        }
        return byGroup;
    }

    /** Time the JIT compilers spent compiling so far (their own threads, not listed as Java threads), in ms. */
    static long compilationMillis() {
        var jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** Time spent in garbage collections so far (pauses and concurrent cycles as the collectors count them), in ms. */
    static long collectionMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(gc -> Math.max(0, gc.getCollectionTime())).sum();
    }

    /** Prints the thread groups that used the most CPU between two {@link #cpuNanosByThreadGroup()} readings. */
    static void printCpuByThreadGroup(Map<String, Long> before, Map<String, Long> after, int units, String unit) {
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(15)
                .forEach(e -> System.out.printf(Locale.ROOT, "#   %-60s %8.0f us/%s%n", e.getKey(),
                        e.getValue() / 1e3 / units, unit));
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
