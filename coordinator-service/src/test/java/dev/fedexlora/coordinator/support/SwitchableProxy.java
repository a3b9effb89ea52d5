package dev.fedexlora.coordinator.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on 127.0.0.1 in front of a service, that a test can turn into a black hole: connections are then
 * accepted and never answered (a registry that hangs, the worst outage for a caller with a timeout). Turning it into
 * one also closes the connections it was forwarding, so that a caller's pooled keep-alive connection cannot slip a
 * request past the outage. Turning it back closes the held connections and forwards new ones.
 */
public final class SwitchableProxy implements AutoCloseable {

    private final ServerSocket server;
    private final String targetHost;
    private final int targetPort;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private final List<Socket> forwarded = new CopyOnWriteArrayList<>();
    private volatile boolean blackHole;

    public SwitchableProxy(String targetHost, int targetPort) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        Thread.ofVirtual().name("proxy-accept").start(this::accept);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** New connections are accepted and never answered; the ones open until now are closed. */
    public void blackHole() {
        blackHole = true;
        for (Socket s : forwarded) {
            closeQuietly(s);
        }
        forwarded.clear();
    }

    /** Held connections are closed (their callers see an error) and new ones are forwarded again. */
    public void forward() {
        blackHole = false;
        for (Socket s : held) {
            closeQuietly(s);
        }
        held.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (blackHole) {
                    held.add(client);
                    continue;
                }
                Socket target = new Socket(targetHost, targetPort);
                forwarded.add(client);
                Thread.ofVirtual().start(() -> pipe(client, target));
                Thread.ofVirtual().start(() -> pipe(target, client));
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private static void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // one side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        forward();
    }
}
