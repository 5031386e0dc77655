package io.keelson.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main job, as a user runs it: the whole demo in one process, exit code 0, the loop's outcomes. */
class DemoIT {
    @TempDir
    Path dir;

    @Test
    void theDemoRunsTheWholeLoop_andEndsWithItsSummary() throws Exception {
        Path log = dir.resolve("demo.log");
        Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.keelson.cli.Main", "demo", "--data-dir",
                dir.resolve("data").toString()).redirectError(dir.resolve("demo.err").toFile()).redirectOutput(log.toFile())
                .start();
        assertThat(demo.waitFor(3, TimeUnit.MINUTES)).as("the demo finishes").isTrue();
        String out = Files.readString(log);
        assertThat(demo.exitValue()).as(out).isZero();
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).allSatisfy(l -> assertThat(l).as("every line is timestamped").matches("\\[ *\\d+\\.\\ds].*"));
        assertThat(out).contains("applied examples/web.yaml: Namespace shop, Deployment web, Service web")
                .contains("rolling update").contains("max 7 pods, min 5 available")
                .contains("2 pods evicted and replaced").containsPattern("undo +\\d+\\.\\d s +6/6 on nginx:1.25, revision 3")
                .contains("namespace gone");
    }
}
