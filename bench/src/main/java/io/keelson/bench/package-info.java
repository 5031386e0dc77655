/** Benchmarks. */ package io.keelson.bench;
