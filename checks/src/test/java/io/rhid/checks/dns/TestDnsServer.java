package io.rhid.checks.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A tiny authoritative server on 127.0.0.1, UDP and TCP on one port, whose answers depend on the
 * name asked: {@code health.example.} has A 192.0.2.1, AAAA 2001:db8::1 and TXT "ok";
 * {@code broken.example.} is SERVFAIL; {@code missing.example.} is NXDOMAIN; {@code nodata.example.}
 * has no records; {@code silent.example.} is never answered; {@code big.example.} is truncated over
 * UDP and has A 192.0.2.7 over TCP.
 */
final class TestDnsServer implements AutoCloseable {

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    /** The longest {@code slow.example.} is held over TCP when the test does not release it. */
    static final long SLOW_MILLIS = 10_000;

    final AtomicInteger tcpQueries = new AtomicInteger();
    /** Released when a query for {@code slow.example.} arrives over TCP. */
    final Semaphore slowQueries = new Semaphore(0);
    /** A permit lets one held {@code slow.example.} answer go out. */
    final Semaphore slowAnswers = new Semaphore(0);

    TestDnsServer() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        ServerSocket stream = null;
        DatagramSocket datagram = null;
        // The free TCP port may be taken for UDP; try a few.
        for (int attempt = 0; datagram == null; attempt++) {
            stream = new ServerSocket(0, 10, loopback);
            try {
                datagram = new DatagramSocket(new InetSocketAddress(loopback, stream.getLocalPort()));
            } catch (BindException e) {
                stream.close();
                if (attempt == 10) {
                    throw e;
                }
            }
        }
        tcp = stream;
        udp = datagram;
        daemon(this::serveUdp);
        daemon(this::serveTcp);
    }

    String address() {
        return "127.0.0.1:" + tcp.getLocalPort();
    }

    private void serveUdp() {
        byte[] buffer = new byte[4096];
        while (!udp.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                Message query = new Message(Arrays.copyOf(packet.getData(), packet.getLength()));
                byte[] wire = wire(query, false);
                if (wire != null) {
                    udp.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed, or a query this server cannot parse
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try {
                Socket socket = tcp.accept();
                daemon(() -> serveConnection(socket));
            } catch (IOException e) {
                // closed
            }
        }
    }

    /** Answers a connection's queries one after the other, in order, as many servers do. */
    private void serveConnection(Socket connection) {
        try (Socket socket = connection) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream data = new DataOutputStream(socket.getOutputStream());
            while (true) {
                byte[] wire = new byte[in.readUnsignedShort()];
                in.readFully(wire);
                tcpQueries.incrementAndGet();
                Message query = new Message(wire);
                if (query.getQuestion() != null && query.getQuestion().getName().toString().equals("slow.example.")) {
                    slowQueries.release();
                    // The point of this name: an answer held until the test has seen what it wanted,
                    // so "later than another query" holds however slow the machine is.
                    slowAnswers.tryAcquire(SLOW_MILLIS, TimeUnit.MILLISECONDS);
                }
                byte[] out = wire(query, true);
                if (out != null) {
                    data.writeShort(out.length);
                    data.write(out);
                    data.flush();
                }
            }
        } catch (IOException e) {
            // closed by the client, or by close()
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] wire(Message query, boolean overTcp) throws IOException {
        if (query.getQuestion() != null && query.getQuestion().getName().toString().equals("refused-bare.example.")) {
            // Like unbound refusing a query: REFUSED with an empty question section (QDCOUNT 0).
            Message bare = new Message(query.getHeader().getID());
            bare.getHeader().setFlag(Flags.QR);
            bare.getHeader().setRcode(Rcode.REFUSED);
            return bare.toWire();
        }
        Message response = answer(query, overTcp);
        return response == null ? null : response.toWire();
    }

    private static Message answer(Message query, boolean overTcp) throws IOException {
        Record question = query.getQuestion();
        Name name = question.getName();
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        response.addRecord(question, Section.QUESTION);
        switch (name.toString()) {
            case "health.example." -> {
                if (question.getType() == Type.A) {
                    response.addRecord(new ARecord(name, DClass.IN, 60, InetAddress.getByName("192.0.2.1")), Section.ANSWER);
                } else if (question.getType() == Type.AAAA) {
                    response.addRecord(new AAAARecord(name, DClass.IN, 60, InetAddress.getByName("2001:db8::1")), Section.ANSWER);
                } else if (question.getType() == Type.TXT) {
                    response.addRecord(new TXTRecord(name, DClass.IN, 60, "ok"), Section.ANSWER);
                }
            }
            case "broken.example." -> response.getHeader().setRcode(Rcode.SERVFAIL);
            case "missing.example." -> response.getHeader().setRcode(Rcode.NXDOMAIN);
            case "nodata.example." -> {
            }
            case "slow.example." -> response.addRecord(new ARecord(name, DClass.IN, 60,
                    InetAddress.getByName("192.0.2.3")), Section.ANSWER);
            case "silent.example." -> {
                return null;
            }
            case "big.example." -> {
                if (overTcp) {
                    response.addRecord(new ARecord(name, DClass.IN, 60, InetAddress.getByName("192.0.2.7")), Section.ANSWER);
                } else {
                    response.getHeader().setFlag(Flags.TC);
                }
            }
            default -> response.getHeader().setRcode(Rcode.REFUSED);
        }
        return response;
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "test-dns");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
    }
}
