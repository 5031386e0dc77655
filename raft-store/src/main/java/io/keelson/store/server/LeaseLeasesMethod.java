package io.keelson.store.server;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.keelson.store.KvStore;
import io.keelson.store.Lease;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code etcdserverpb.Lease/LeaseLeases} (etcd 3.3+, used by {@code etcdctl lease list}), which
 * jetcd's protocol classes leave out. Its messages are tiny, so they are encoded here directly:
 * the request is empty; the response is {@code header = 1} and repeated {@code leases = 2}, each
 * a {@code LeaseStatus} with {@code ID = 1}.
 */
final class LeaseLeasesMethod {
    static final String FULL_NAME = "etcdserverpb.Lease/LeaseLeases";

    private LeaseLeasesMethod() {
    }

    /** The Lease service with this method added to jetcd's. */
    static ServerServiceDefinition with(LeaseService service, KvStore store) {
        ServerServiceDefinition base = service.bindService();
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(base.getServiceDescriptor().getName());
        base.getMethods().forEach(b::addMethod);
        MethodDescriptor<byte[], Lease.ListResponse> method = MethodDescriptor.<byte[], Lease.ListResponse>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(FULL_NAME)
                .setRequestMarshaller(new RawRequest())
                .setResponseMarshaller(new ListResponseMarshaller())
                .build();
        ServerCallHandler<byte[], Lease.ListResponse> handler = ServerCalls.asyncUnaryCall(
                (request, out) -> KvService.answer(store::leaseList, r -> r, out));
        return b.addMethod(method, handler).build();
    }

    private static final class RawRequest implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                CodedInputStream.newInstance(stream).skipMessage(); // LeaseLeasesRequest has no fields
                return new byte[0];
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final class ListResponseMarshaller implements MethodDescriptor.Marshaller<Lease.ListResponse> {
        @Override
        public InputStream stream(Lease.ListResponse r) {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                CodedOutputStream out = CodedOutputStream.newInstance(bytes);
                out.writeMessage(1, EtcdCodec.header(r.header()));
                for (long id : r.ids()) {
                    out.writeTag(2, com.google.protobuf.WireFormat.WIRETYPE_LENGTH_DELIMITED);
                    out.writeUInt32NoTag(CodedOutputStream.computeInt64Size(1, id));
                    out.writeInt64(1, id);
                }
                out.flush();
                return new ByteArrayInputStream(bytes.toByteArray());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Lease.ListResponse parse(InputStream stream) {
            throw new UnsupportedOperationException("server side only");
        }
    }
}
