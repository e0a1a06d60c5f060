package io.rhid.agent.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One nginx on the lab host's loopback as a single process, its config, pid file, temp
 * directories and error.log in a directory of its own, started through the lab (which also stops
 * it at its close) and stopped by PID; used from the test thread.
 */
public final class NginxServer implements AutoCloseable {

    private final NetnsLab lab;
    private final Path home;
    private final int port;
    private final Path conf;
    private Process process;

    /**
     * nginx on 127.0.0.1:{@code port} in the lab host, answering {@code 200 ok} to every request,
     * its files in {@code home} (created). {@code httpDirectives} go into the {@code http} block
     * (keep-alive options such as {@code keepalive_requests 3;}); a non-empty {@code tlsDirectives}
     * ({@code ssl_certificate ...;}) makes the port TLS and goes into the {@code server} block. The
     * lab host is a namespace of its own, so a fixed port is free there.
     */
    public NginxServer(NetnsLab lab, Path home, int port, String httpDirectives, String tlsDirectives) {
        this.lab = Objects.requireNonNull(lab);
        this.home = home;
        this.port = port;
        try {
            Files.createDirectories(home);
            this.conf = Files.writeString(home.resolve("nginx.conf"), """
                    daemon off;
                    # One process: SIGKILL to it is the server's death (a master's workers would outlive it).
                    master_process off;
                    pid %1$s/nginx.pid;
                    error_log %1$s/error.log;
                    events { worker_connections 1024; }
                    http {
                        access_log off;
                        client_body_temp_path %1$s/body;
                        proxy_temp_path %1$s/proxy;
                        fastcgi_temp_path %1$s/fastcgi;
                        uwsgi_temp_path %1$s/uwsgi;
                        scgi_temp_path %1$s/scgi;
                        %2$s
                        server {
                            listen 127.0.0.1:%3$d%4$s;
                            %5$s
                            location / { return 200 "ok\\n"; }
                        }
                    }
                    """.formatted(home, httpDirectives, port, tlsDirectives.isBlank() ? "" : " ssl", tlsDirectives));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write nginx's config in " + home, e);
        }
    }

    /** As the full constructor, plain HTTP. */
    public NginxServer(NetnsLab lab, Path home, int port, String httpDirectives) {
        this(lab, home, port, httpDirectives, "");
    }

    /**
     * Starts nginx unless it runs and waits until its port accepts connections; on failure it is
     * stopped and the error names the port and carries the tail of error.log.
     */
    public NginxServer start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        Process p = lab.startInHost(List.of("nginx", "-p", home.toString(), "-c", conf.toString()), home.resolve("out.log"));
        process = p;
        lab.awaitListening(p, port, "nginx", this::logs);
        return this;
    }

    /** The running nginx process (its PID is the server's); throws when it was never started. */
    public Process process() {
        if (process == null) {
            throw new IllegalStateException("nginx on port " + port + " was not started");
        }
        return process;
    }

    private String logs() {
        return "its error.log:\n" + LabCommands.tail(home.resolve("error.log"), 20)
                + "\nits output:\n" + LabCommands.tail(home.resolve("out.log"), 20);
    }

    /** SIGTERM by PID, bounded, then SIGKILL. */
    @Override
    public void close() {
        if (process != null) {
            LabCommands.terminateQuietly(process);
        }
    }
}
