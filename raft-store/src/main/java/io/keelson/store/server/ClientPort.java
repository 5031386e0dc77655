package io.keelson.store.server;

import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One client port for gRPC and plain HTTP, as etcd serves both on its client URLs (its cmux): each connection's
 * first bytes decide. HTTP/2's connection preface ("PRI * HTTP/2.0...") goes to gRPC; anything else is an HTTP/1.1
 * request for {@link HttpEndpoints}. gRPC's own handler is installed only then, so an HTTP/1.1 client never
 * receives its HTTP/2 settings frame.
 */
final class ClientPort implements InternalProtocolNegotiator.ProtocolNegotiator {
    private static final byte[] PREFACE = "PRI".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HTTP_REQUEST_BYTES = 64 * 1024;

    private final InternalProtocolNegotiator.ProtocolNegotiator grpc = InternalProtocolNegotiators.serverPlaintext();
    private final Supplier<ChannelHandler> http;

    ClientPort(Supplier<ChannelHandler> http) {
        this.http = http;
    }

    @Override
    public AsciiString scheme() {
        return grpc.scheme();
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        return new Sniffer(grpcHandler);
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
            events.add(evt);
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
                events.forEach(ctx::fireUserEventTriggered);
                ctx.pipeline().remove(this);
            }
        }
    }
}
