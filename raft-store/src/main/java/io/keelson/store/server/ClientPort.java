package io.keelson.store.server;

import io.grpc.Grpc;
import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.ProtocolNegotiationEvent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;

/**
 * One client port for gRPC and plain HTTP, as etcd serves both on its client URLs (its cmux): each connection's
 * first bytes decide. HTTP/2's connection preface ("PRI * HTTP/2.0...") goes to gRPC; anything else is an HTTP/1.1
 * request for {@link HttpEndpoints}. gRPC's own handler is installed only then, so an HTTP/1.1 client never
 * receives its HTTP/2 settings frame.
 *
 * <p>With TLS, the handshake comes first and the decrypted bytes decide. ALPN picks {@code http/1.1} for a client
 * that offers it (curl, browsers, Prometheus) and {@code h2} for one that offers only that (every gRPC client), so
 * that HTTP requests reach the HTTP endpoints rather than the gRPC server.
 */
final class ClientPort implements InternalProtocolNegotiator.ProtocolNegotiator {
    private static final byte[] PREFACE = "PRI".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HTTP_REQUEST_BYTES = 64 * 1024;
    private static final String HTTP_1_1 = "http/1.1";
    private static final String H2 = "h2";

    private final InternalProtocolNegotiator.ProtocolNegotiator grpc = InternalProtocolNegotiators.serverPlaintext();
    private final Supplier<ChannelHandler> http;
    private final SslContext tls;

    /** @param tls the server's TLS context, or null for plaintext */
    ClientPort(Supplier<ChannelHandler> http, SslContext tls) {
        this.http = http;
        this.tls = tls;
    }

    @Override
    public AsciiString scheme() {
        return grpc.scheme();
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        Sniffer sniffer = new Sniffer(grpcHandler);
        if (tls == null) {
            return sniffer;
        }
        return new ChannelHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                SSLEngine engine = tls.newEngine(ctx.alloc());
                engine.setHandshakeApplicationProtocolSelector(ClientPort::applicationProtocol);
                ctx.pipeline().addAfter(ctx.name(), null, sniffer);
                ctx.pipeline().replace(this, null, new SslHandler(engine));
            }
        };
    }

    /** ALPN: HTTP/1.1 whenever the client speaks it; HTTP/2 for gRPC clients, which offer nothing else. */
    private static String applicationProtocol(SSLEngine engine, List<String> offered) {
        if (offered.contains(HTTP_1_1)) {
            return HTTP_1_1;
        }
        return offered.contains(H2) ? H2 : null;
    }

    @Override
    public void close() {
        grpc.close();
    }

    /** Waits for the first bytes, then puts the right protocol in its place (and hands them the bytes). */
    private final class Sniffer extends ByteToMessageDecoder {
        private final GrpcHttp2ConnectionHandler grpcHandler;

        Sniffer(GrpcHttp2ConnectionHandler grpcHandler) {
            this.grpcHandler = grpcHandler;
        }

        /** gRPC's negotiation event (fired as the transport starts), kept for gRPC's handlers once installed. */
        private final List<Object> events = new ArrayList<>();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // held back: gRPC's handlers learn the channel is active when they are installed
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (!(evt instanceof SslHandshakeCompletionEvent)) {
                events.add(evt);
            }
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int n = Math.min(in.readableBytes(), PREFACE.length);
            for (int i = 0; i < n; i++) {
                if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
                    // before gRPC's buffering handler, which takes any read reaching it for an error
                    ctx.pipeline().addAfter(ctx.name(), null, http.get())
                            .addAfter(ctx.name(), null, new HttpObjectAggregator(MAX_HTTP_REQUEST_BYTES))
                            .addAfter(ctx.name(), null, new HttpServerCodec());
                    ctx.pipeline().remove(this); // the bytes read so far go on to the HTTP codec
                    return;
                }
            }
            if (n == PREFACE.length) {
                ctx.pipeline().addAfter(ctx.name(), null, grpc.newHandler(grpcHandler));
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                for (Object event : events) {
                    // as gRPC's own TLS negotiation does: calls see the session (auth takes a user from its
                    // client certificate)
                    if (ssl != null && event instanceof ProtocolNegotiationEvent negotiated) {
                        event = InternalProtocolNegotiationEvent.withAttributes(negotiated,
                                InternalProtocolNegotiationEvent.getAttributes(negotiated).toBuilder()
                                        .set(Grpc.TRANSPORT_ATTR_SSL_SESSION, ssl.engine().getSession()).build());
                    }
                    ctx.fireUserEventTriggered(event);
                }
                ctx.pipeline().remove(this);
            }
        }
    }
}
