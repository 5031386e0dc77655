package io.keelson.kernel.node;

import java.time.Clock;
import java.time.Duration;

/** The simulated kubelets' clock and periods (kubelet's defaults unless configured). */
record NodeTiming(Clock clock, Duration leaseDuration, Duration renewInterval, Duration statusReportInterval,
                  Duration startDelay) {
}
