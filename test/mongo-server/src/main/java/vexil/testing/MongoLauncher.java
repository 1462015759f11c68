package vexil.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;

/**
 * Runs mongo-java-server's in-memory backend on 127.0.0.1 for the TypeScript tests
 * (test/support/mongo-java-server.ts), controlled through stdin/stdout:
 *
 * <pre>
 *   java -jar target/mongo-launcher.jar [--port N]     (N = 0 or absent: ephemeral port)
 *   stdout: LISTENING &lt;port&gt;                           once the server accepts connections
 *   stdin:  STOP   -> stop listening, drop every client connection, KEEP the data  -> "STOPPED"
 *           START  -> listen again on the same port over the same data              -> "LISTENING &lt;port&gt;"
 *           EXIT or end of input -> shut down and exit 0
 *   any failure is reported as one "ERROR &lt;message&gt;" line.
 * </pre>
 *
 * Stdout carries nothing but those lines; the library's logging goes to stderr.
 */
public final class MongoLauncher {

    private static final String HOST = "127.0.0.1";

    /** How long an empty change-stream getMore waits for news, polling every AWAIT_DATA_POLL_MILLIS. */
    private static final long AWAIT_DATA_MILLIS = 50;
    private static final long AWAIT_DATA_POLL_MILLIS = 5;

    /** How long START keeps retrying when the old port is not free again yet. */
    private static final long REBIND_TIMEOUT_MILLIS = 10_000;

    /**
     * The version the server reports in isMaster/buildInfo. The library's newest built-in one
     * (MONGO_5_0) claims wire version 8, below what the mongodb 7.x Node driver accepts (9), so the
     * driver would refuse the server; 6.0 / wire 17 is accepted and enables the code paths the
     * driver uses against real 6.0 servers (change streams included).
     */
    enum Mongo60 implements MongoVersion {
        INSTANCE;

        @Override
        public List<Integer> getVersionArray() {
            return List.of(6, 0, 0);
        }

        @Override
        public int getWireVersion() {
            return 17;
        }
    }

    /**
     * MongoServer.shutdown()/shutdownNow() always end with backend.close(), which drops every
     * database, and a failed bind() calls shutdownNow() too. To simulate an outage without losing
     * the data (nor the oplog, which lives in local.oplog.rs) close() does nothing here: the
     * backend outlives each MongoServer that serves it.
     */
    static final class OutageProofBackend extends MemoryBackend {
        @Override
        public void close() {
            // Keep the data: it is thrown away with the JVM.
        }

        /**
         * The library answers a change stream's getMore at once, even with nothing new (it has no
         * awaitData), and the driver asks again straight away: some 600 round trips a second per
         * waiting stream, each scanning the whole oplog, which keeps a core busy. Like mongod's
         * awaitData, wait a little for news before answering empty; only tailable cursors reply
         * with an empty batch and a live cursor id. The wait holds one Netty event loop, hence
         * kept short: about 20 polls a second per stream, at most AWAIT_DATA_MILLIS more latency.
         */
        @Override
        protected Document handleGetMore(String databaseName, String command, Document query) {
            long deadline = System.nanoTime() + AWAIT_DATA_MILLIS * 1_000_000;
            while (true) {
                Document reply = super.handleGetMore(databaseName, command, query);
                Document cursor = (Document) reply.get("cursor");
                boolean waiting = cursor != null
                    && ((List<?>) cursor.get("nextBatch")).isEmpty()
                    && ((Number) cursor.get("id")).longValue() != 0;
                if (!waiting || System.nanoTime() > deadline) {
                    return reply;
                }
                try {
                    Thread.sleep(AWAIT_DATA_POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return reply;
                }
            }
        }

        /**
         * A real mongod loses its open cursors when it restarts; forget them here too, so that a
         * client holding a cursor across the outage sees CursorNotFound as it would in production.
         * The registry cannot list its cursors, but ids are handed out sequentially from 1.
         */
        void forgetCursors() {
            CursorRegistry cursors = getCursorRegistry();
            long lastId = cursors.generateCursorId();
            for (long id = 1; id <= lastId && cursors.size() > 0; id++) {
                cursors.remove(id);
            }
        }
    }

    private final OutageProofBackend backend = new OutageProofBackend();
    private MongoServer server;
    private int port;

    private MongoLauncher(int port) {
        this.port = port;
        backend.version(Mongo60.INSTANCE);
        // Enabled once, on the backend, and never again: MongoServer.enableOplog() would replace the
        // oplog object, restarting its timestamp counter and changing its collection uuid, which
        // would break resuming change streams across STOP/START.
        backend.enableOplog();
    }

    public static void main(String[] args) throws IOException {
        // Before the first logger is created: the library logs every connection at INFO, and warns
        // about each client it closes on STOP. Errors (e.g. unsupported commands) still show.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
            System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.setProperty("org.slf4j.simpleLogger.log.de.bwaldvogel.mongo.MongoServer",
            System.getProperty("org.slf4j.simpleLogger.log.de.bwaldvogel.mongo.MongoServer", "error"));

        MongoLauncher launcher = new MongoLauncher(parsePort(args));
        try {
            launcher.start();
        } catch (Exception e) {
            reply("ERROR cannot listen on " + HOST + ":" + launcher.port + ": " + e);
            System.exit(1);
        }

        // The parent holds our stdin: when it exits (even when killed) we read end of input and
        // exit too, so no orphaned JVM outlives a test run.
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = stdin.readLine()) != null) {
            String command = line.trim().toUpperCase();
            try {
                switch (command) {
                    case "STOP" -> launcher.stop();
                    case "START" -> launcher.start();
                    case "EXIT" -> {
                        launcher.exit();
                        return;
                    }
                    case "" -> { }
                    default -> reply("ERROR unknown command: " + line.trim());
                }
            } catch (Exception e) {
                reply("ERROR " + command + " failed: " + e);
            }
        }
        launcher.exit();
    }

    private void start() throws InterruptedException {
        if (server == null) {
            server = bindWithRetry();
            port = server.getLocalAddress().getPort();
        }
        reply("LISTENING " + port);
    }

    /** Simulates an outage: the port refuses connections and every open connection is dropped. */
    private void stop() {
        if (server != null) {
            // Closes the listening socket, then every client connection, then Netty's event loops.
            server.shutdownNow();
            server = null;
            backend.forgetCursors();
        }
        reply("STOPPED");
    }

    private void exit() {
        if (server != null) {
            server.shutdownNow();
        }
        System.out.flush();
        // Netty's threads are not daemons: exit explicitly.
        System.exit(0);
    }

    /**
     * A fresh MongoServer over the same backend: a stopped MongoServer cannot be bound again,
     * since shutdown terminates its event loops. Right after STOP the port may still be held
     * briefly (or, rarely, taken by another process's outgoing connection), hence the retries.
     */
    private MongoServer bindWithRetry() throws InterruptedException {
        long deadline = System.currentTimeMillis() + REBIND_TIMEOUT_MILLIS;
        while (true) {
            MongoServer candidate = new MongoServer(backend);
            try {
                candidate.bind(HOST, port);
                return candidate;
            } catch (Exception e) {
                // Netty rethrows the checked BindException undeclared, hence the catch-all.
                if (!(e instanceof BindException) || port == 0 || System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static int parsePort(String[] args) {
        int port = 0;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--port") && i + 1 < args.length) {
                port = Integer.parseInt(args[++i]);
            } else if (args[i].startsWith("--port=")) {
                port = Integer.parseInt(args[i].substring("--port=".length()));
            } else {
                System.err.println("usage: java -jar mongo-launcher.jar [--port N]");
                System.exit(2);
            }
        }
        return port;
    }

    private static void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
