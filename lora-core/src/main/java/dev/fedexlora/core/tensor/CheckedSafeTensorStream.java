package dev.fedexlora.core.tensor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A safetensors file checked while it streams: {@link #open} parses the header from the first bytes (every tensor's
 * dtype × shape against its byte range, ranges tiling the data), then the stream hands out the whole file, header
 * included, and fails on the first read past the declared end or at an end before it. Nothing but the header is
 * held, so a multi-GB shard passes through a fixed buffer.
 */
public final class CheckedSafeTensorStream extends InputStream {

    private final InputStream in;
    private final SafeTensors.Layout layout;
    private final String source;
    private long position;

    private CheckedSafeTensorStream(InputStream in, SafeTensors.Layout layout, String source) {
        this.in = in;
        this.layout = layout;
        this.source = source;
    }

    /**
     * Reads the header of {@code in} and returns a stream of the whole file that checks its length.
     *
     * @param declaredSize the size the sender announced, or -1: a mismatch with the header is refused at once
     * @throws InvalidTensorFileException naming {@code source} when the header is invalid or disagrees with the size
     */
    public static CheckedSafeTensorStream open(InputStream in, long declaredSize, String source) throws IOException {
        SafeTensors.Layout layout = SafeTensors.readLayout(in, source);
        if (declaredSize >= 0 && declaredSize != layout.totalSize()) {
            throw new InvalidTensorFileException(source, (declaredSize < layout.totalSize() ? "truncated" : "padded")
                    + ": the header's tensors need " + layout.totalSize() + " bytes but the file has " + declaredSize);
        }
        byte[] len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(layout.header().length).array();
        InputStream whole = new SequenceInputStream(new SequenceInputStream(new ByteArrayInputStream(len),
                new ByteArrayInputStream(layout.header())), in);
        return new CheckedSafeTensorStream(whole, layout, source);
    }

    public SafeTensors.Layout layout() {
        return layout;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        long total = layout.totalSize();
        if (position >= total) {
            // One byte more than declared is enough to know the file is padded.
            if (in.read() >= 0) {
                throw new InvalidTensorFileException(source, "padded: more than the " + total
                        + " bytes the header's tensors need");
            }
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, total - position));
        if (n < 0) {
            throw new InvalidTensorFileException(source, "truncated: the file ends at byte " + position
                    + " but the header's tensors need " + total);
        }
        position += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
