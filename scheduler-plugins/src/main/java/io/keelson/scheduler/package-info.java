/** Scheduler filter/score plugins (a later issue). */
package io.keelson.scheduler;
