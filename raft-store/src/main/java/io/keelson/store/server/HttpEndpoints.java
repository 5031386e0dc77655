package io.keelson.store.server;

import io.keelson.store.MemberStatus;
import io.keelson.store.RangeRequest;
import io.keelson.store.StoreMember;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The HTTP endpoints etcd answers on its client URLs beside gRPC: {@code GET /health} (healthy when the member has
 * a leader, no alarm is raised but those excluded by {@code ?exclude=NOSPACE}, and a linearizable read succeeds
 * within a second: {@code {"health":"true"}} with 200,
 * else {@code {"health":"false"}} with 503), {@code GET /version} and {@code GET /metrics} (Prometheus text).
 * Other methods get 405, other paths 404, with Go's texts.
 */
final class HttpEndpoints {
    static final long HEALTH_TIMEOUT_MILLIS = 1000;

    private final StoreMember member;
    private final Supplier<String> metrics;

    HttpEndpoints(StoreMember member, Supplier<String> metrics) {
        this.member = member;
        this.metrics = metrics;
    }

    /** A handler for one connection on the client port: every endpoint. */
    ChannelHandler newHandler() {
        return new Handler(true);
    }

    /** A handler for one connection on a metrics URL: {@code /metrics} and {@code /health} only. */
    ChannelHandler newMetricsHandler() {
        return new Handler(false);
    }

    /**
     * Whether the member is healthy, as etcd's checkHealth decides it; alarms of the {@code excluded} types (the
     * {@code exclude} query parameter, e.g. {@code /health?exclude=NOSPACE}) do not count.
     */
    CompletableFuture<Boolean> healthy(List<String> excluded) {
        MemberStatus s = member.status();
        if (member.alarms().stream().anyMatch(a -> !excluded.contains(a.type().name())) || s.leader().isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        return member.range(RangeRequest.key("health")).orTimeout(HEALTH_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                .handle((r, error) -> error == null);
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final boolean clientPort;

        Handler(boolean clientPort) {
            this.clientPort = clientPort;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String path = uri.path();
            switch (path.equals("/version") && !clientPort ? "" : path) {
                case "/health" -> {
                    if (get(ctx, request, keepAlive)) {
                        healthy(uri.parameters().getOrDefault("exclude", List.of())).thenAccept(ok -> send(ctx,
                                keepAlive, ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                                "text/plain; charset=utf-8", ok ? "{\"health\":\"true\"}"
                                        : "{\"health\":\"false\"}\n")); // as etcd: only this one ends a line
                    }
                }
                case "/version" -> {
                    if (get(ctx, request, keepAlive)) {
                        send(ctx, keepAlive, HttpResponseStatus.OK, "application/json", "{\"etcdserver\":\""
                                + MaintenanceService.VERSION + "\",\"etcdcluster\":\"" + clusterVersion() + "\"}");
                    }
                }
                case "/metrics" -> {
                    if (get(ctx, request, keepAlive)) {
                        send(ctx, keepAlive, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                                metrics.get());
                    }
                }
                default -> send(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                        "404 page not found\n");
            }
        }

        /** Only GET is allowed: anything else gets 405, as etcd's allowMethod. */
        private boolean get(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
            if (request.method().equals(HttpMethod.GET)) {
                return true;
            }
            FullHttpResponse r = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                    "Method Not Allowed");
            r.headers().set(HttpHeaderNames.ALLOW, "GET");
            write(ctx, keepAlive, r);
            return false;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static String clusterVersion() {
        String[] parts = MaintenanceService.VERSION.split("\\.");
        return parts[0] + "." + parts[1] + ".0";
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status,
                             String contentType, String body) {
        write(ctx, keepAlive, response(status, contentType, body));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }

    private static void write(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse r) {
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
