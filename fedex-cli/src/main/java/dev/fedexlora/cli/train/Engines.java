package dev.fedexlora.cli.train;

/** libtorch's thread counts, which it reads once, when DJL loads the engine. */
public final class Engines {

    private Engines() {
    }

    /** Sets the intra-op threads (one inter-op thread) unless the JVM was started with them. */
    public static void useThreads(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("--threads must be positive, got " + threads);
        }
        System.setProperty("ai.djl.pytorch.num_threads",
                System.getProperty("ai.djl.pytorch.num_threads", Integer.toString(threads)));
        System.setProperty("ai.djl.pytorch.num_interop_threads",
                System.getProperty("ai.djl.pytorch.num_interop_threads", "1"));
        // Everything is local: DJL must neither download nor phone home.
        for (String key : new String[] {"ai.djl.offline", "DJL_OFFLINE", "OPT_OUT_TRACKING"}) {
            System.setProperty(key, System.getProperty(key, "true"));
        }
    }
}
