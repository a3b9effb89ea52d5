package dev.fedexlora.core.checksum;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The platform's one checksum: SHA-256 as lower-case hex, of bytes, of a string, of a file, or of whatever streams
 * through a {@link #digesting(InputStream)} / {@link #digesting(OutputStream)} wrapper (so multi-GB checkpoints are
 * hashed on the way through, never read twice).
 */
public final class Sha256 {

    private Sha256() {
    }

    /** A fresh SHA-256 digest. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    public static String hex(byte[] content) {
        return HexFormat.of().formatHex(digest().digest(content));
    }

    /** SHA-256 of the string's UTF-8 bytes (token hashes, cache keys). */
    public static String hex(String text) {
        return hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The hex form of a digest that has seen all its input. */
    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** SHA-256 of a file, streamed. */
    public static String hex(Path file) throws IOException {
        try (DigestInputStream in = digesting(Files.newInputStream(file))) {
            in.transferTo(OutputStream.nullOutputStream());
            return hex(in.getMessageDigest());
        }
    }

    /** Hashes what is read through it; {@code hex(stream.getMessageDigest())} once read to the end. */
    public static DigestInputStream digesting(InputStream in) {
        return new DigestInputStream(in, digest());
    }

    /** Hashes what is written through it; {@code hex(stream.getMessageDigest())} once closed. */
    public static DigestOutputStream digesting(OutputStream out) {
        return new DigestOutputStream(out, digest());
    }
}
