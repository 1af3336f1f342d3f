package dev.holdfast.sensor;

import dev.holdfast.sensor.decode.DecodeStats;
import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.FlowTable;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.decode.PacketDecoder;
import dev.holdfast.sensor.dissect.AppProtocol;
import dev.holdfast.sensor.dissect.BacnetDissector;
import dev.holdfast.sensor.dissect.CdpDissector;
import dev.holdfast.sensor.dissect.CoapDissector;
import dev.holdfast.sensor.dissect.DhcpDissector;
import dev.holdfast.sensor.dissect.Dissector;
import dev.holdfast.sensor.dissect.Dnp3Dissector;
import dev.holdfast.sensor.dissect.DnsDissector;
import dev.holdfast.sensor.dissect.EnipDissector;
import dev.holdfast.sensor.dissect.FieldSink;
import dev.holdfast.sensor.dissect.LldpDissector;
import dev.holdfast.sensor.dissect.ModbusDissector;
import dev.holdfast.sensor.dissect.MqttDissector;
import dev.holdfast.sensor.dissect.S7Dissector;
import dev.holdfast.sensor.dissect.SnmpDissector;
import dev.holdfast.sensor.dissect.TextDissector;
import dev.holdfast.sensor.dissect.TlsDissector;
import dev.holdfast.sensor.pcap.Bytes;
import dev.holdfast.sensor.pcap.Frame;

/**
 * Frame to fields: decodes each frame, keeps the flow table and the bounded TCP reassembly, picks
 * the application dissector (by port, else by the first payload) and reports to a {@link Listener}.
 * Single-threaded; allocates nothing per packet once its flows and buffers exist.
 */
public final class PacketPipeline {
    /** Receives everything the pipeline learns. */
    public interface Listener extends FieldSink {
        /** Every decoded frame, after its flow was found or created ({@code flow} null for non-IP frames). */
        void packet(Packet p, Flow flow, boolean fromClient, boolean newFlow);

        /** An ARP (RFC 826) request or reply for IPv4 over Ethernet. */
        void arp(Packet p, int operation, long senderMac, int senderIp, long targetMac, int targetIp);

        /** A flow leaves the table (evicted, or the capture ended). */
        void flowEnded(Flow flow);
    }

    /** Limits of the pipeline; memory is bounded by {@code maxFlows} and {@code streamBudgetBytes}. */
    public record Limits(int maxFlows, int maxStreamBuffer, long streamBudgetBytes) {
        public static Limits defaults() {
            return new Limits(65_536, 65_536, 256L << 20);
        }
    }

    private static final int UNDECIDED_PAYLOADS = 4;
    private final Listener listener;
    private final Limits limits;
    private final DecodeStats stats = new DecodeStats();
    private final PacketDecoder decoder = new PacketDecoder(stats);
    private final Packet packet = new Packet();
    private final FlowTable flows;
    private final byte[] tcpApp = new byte[65_536];
    private final byte[] udpApp = new byte[65_536];
    private final Dissector[] tcpDissectors = new Dissector[AppProtocol.values().length];
    private final Dissector[] udpDissectors = new Dissector[AppProtocol.values().length];
    private final Dissector lldp = new LldpDissector(), cdp = new CdpDissector();
    private long streamBytesHeld;
    public long frames;

    public PacketPipeline(Listener listener, Limits limits) {
        this.listener = listener;
        this.limits = limits;
        this.flows = new FlowTable(limits.maxFlows(), this::evicted);
        port(tcpApp, AppProtocol.MODBUS, 502);
        port(tcpApp, AppProtocol.DNP3, 20000);
        port(tcpApp, AppProtocol.S7COMM, 102);
        port(tcpApp, AppProtocol.ENIP, 44818);
        port(tcpApp, AppProtocol.MQTT, 1883);
        port(tcpApp, AppProtocol.TLS, 443, 8443, 8883, 5671, 993, 995, 636, 4840);
        port(tcpApp, AppProtocol.HTTP, 80, 8080, 8000, 8008, 8081);
        port(tcpApp, AppProtocol.SSH, 22);
        port(tcpApp, AppProtocol.FTP, 21);
        port(tcpApp, AppProtocol.TELNET, 23);
        port(tcpApp, AppProtocol.DNS, 53);
        port(udpApp, AppProtocol.DNS, 53);
        port(udpApp, AppProtocol.MDNS, 5353);
        port(udpApp, AppProtocol.LLMNR, 5355);
        port(udpApp, AppProtocol.NBNS, 137);
        port(udpApp, AppProtocol.DHCP, 67, 68);
        port(udpApp, AppProtocol.BACNET, 47808);
        port(udpApp, AppProtocol.SSDP, 1900);
        port(udpApp, AppProtocol.SNMP, 161, 162);
        port(udpApp, AppProtocol.COAP, 5683);
        port(udpApp, AppProtocol.ENIP, 44818);
        port(udpApp, AppProtocol.DNP3, 20000);
        tcpDissectors[AppProtocol.MODBUS.ordinal()] = new ModbusDissector();
        tcpDissectors[AppProtocol.DNP3.ordinal()] = new Dnp3Dissector();
        tcpDissectors[AppProtocol.S7COMM.ordinal()] = new S7Dissector();
        tcpDissectors[AppProtocol.ENIP.ordinal()] = new EnipDissector();
        tcpDissectors[AppProtocol.MQTT.ordinal()] = new MqttDissector();
        tcpDissectors[AppProtocol.TLS.ordinal()] = new TlsDissector();
        tcpDissectors[AppProtocol.HTTP.ordinal()] = new TextDissector(AppProtocol.HTTP);
        tcpDissectors[AppProtocol.SSH.ordinal()] = new TextDissector(AppProtocol.SSH);
        tcpDissectors[AppProtocol.FTP.ordinal()] = new TextDissector(AppProtocol.FTP);
        tcpDissectors[AppProtocol.TELNET.ordinal()] = new TextDissector(AppProtocol.TELNET);
        tcpDissectors[AppProtocol.DNS.ordinal()] = new DnsDissector(true, false);
        DnsDissector dns = new DnsDissector(false, false);
        udpDissectors[AppProtocol.DNS.ordinal()] = dns;
        udpDissectors[AppProtocol.MDNS.ordinal()] = dns;
        udpDissectors[AppProtocol.LLMNR.ordinal()] = dns;
        udpDissectors[AppProtocol.NBNS.ordinal()] = new DnsDissector(false, true);
        udpDissectors[AppProtocol.DHCP.ordinal()] = new DhcpDissector();
        udpDissectors[AppProtocol.BACNET.ordinal()] = new BacnetDissector();
        udpDissectors[AppProtocol.SSDP.ordinal()] = new TextDissector(AppProtocol.SSDP);
        udpDissectors[AppProtocol.SNMP.ordinal()] = new SnmpDissector();
        udpDissectors[AppProtocol.COAP.ordinal()] = new CoapDissector();
        udpDissectors[AppProtocol.ENIP.ordinal()] = new EnipDissector();
        udpDissectors[AppProtocol.DNP3.ordinal()] = new Dnp3Dissector();
    }

    private static void port(byte[] table, AppProtocol app, int... ports) {
        for (int p : ports) table[p] = (byte) app.ordinal();
    }

    public DecodeStats stats() {
        return stats;
    }

    public int liveFlows() {
        return flows.size();
    }

    /** Processes one frame. Never throws on any frame content. */
    public void process(Frame frame) {
        frames++;
        Packet p = packet;
        if (!decoder.decode(frame, p)) {
            if (p.hasMac) listener.packet(p, null, true, false);
            return;
        }
        if (p.ipVersion == 0) {
            link(p);
            listener.packet(p, null, true, false);
            return;
        }
        if (p.fragment && p.ipProtocol >= 0 && p.srcPort == 0 && p.dstPort == 0 && p.payloadLength == 0) {
            listener.packet(p, null, true, false); // a fragment still waiting for its datagram
            return;
        }
        Flow flow = flows.find(p);
        boolean created = false;
        if (flow == null) {
            flow = flows.create(p, srcIsServer(p));
            created = true;
            decideByPort(flow);
        }
        boolean fromClient = flow.fromClient(p);
        int d = fromClient ? 0 : 1;
        flow.packets[d]++;
        flow.bytes[d] += p.frameLength;
        flow.lastSeenNanos = p.timestampNanos;
        if (p.isTcp()) {
            if ((p.tcpFlags & Packet.TCP_SYN) != 0) {
                if ((p.tcpFlags & Packet.TCP_ACK) == 0) flow.sawSyn = true;
                else flow.sawSynAck = true;
            }
            if ((p.tcpFlags & Packet.TCP_RST) != 0) flow.sawRst = true;
        }
        listener.packet(p, flow, fromClient, created);
        try {
            if (p.isTcp()) tcp(p, flow, fromClient);
            else if (p.isUdp() && p.payloadLength > 0) udp(p, flow, fromClient);
        } catch (RuntimeException e) {
            // Safety net only: the dissectors check bounds themselves and are fuzzed to prove it.
            stats.dissectorErrors++;
        }
    }

    /** Reports every live flow to the listener (end of a capture). */
    public void finish() {
        flows.drain();
    }

    private void evicted(Flow f) {
        streamBytesHeld -= f.toServer.len + f.toClient.len;
        listener.flowEnded(f);
    }

    private boolean srcIsServer(Packet p) {
        if (p.isTcp() && (p.tcpFlags & Packet.TCP_SYN) != 0) return (p.tcpFlags & Packet.TCP_ACK) != 0;
        byte[] table = p.isTcp() ? tcpApp : udpApp;
        boolean dstKnown = p.dstPort > 0 && table[p.dstPort] != 0;
        boolean srcKnown = p.srcPort > 0 && table[p.srcPort] != 0;
        if (p.isUdp() && p.srcPort == 67 && p.dstPort == 68) return true;
        if (dstKnown != srcKnown) return srcKnown;
        return p.srcPort < p.dstPort && p.srcPort != 0;
    }

    private void decideByPort(Flow f) {
        byte[] table = f.protocol == 6 ? tcpApp : f.protocol == 17 ? udpApp : null;
        if (table == null) {
            f.appDecided = true;
            if (f.protocol == 1 || f.protocol == 58) f.app = AppProtocol.ICMP;
            return;
        }
        int app = table[f.serverPort];
        if (app == 0) app = table[f.clientPort];
        if (app != 0) {
            f.app = AppProtocol.of(app);
            f.appDecided = true;
        }
    }

    private void link(Packet p) {
        byte[] b = p.data;
        int o = p.l3Offset, n = p.l3Length;
        switch (p.etherType) {
            case PacketDecoder.ETHERTYPE_LLDP -> guarded(lldp, p, b, o, n);
            case PacketDecoder.PSEUDO_ETHERTYPE_CDP -> guarded(cdp, p, b, o, n);
            case PacketDecoder.ETHERTYPE_ARP -> {
                if (n >= 28 && Bytes.u16be(b, o) == 1 && Bytes.u16be(b, o + 2) == 0x0800 && (b[o + 4] & 0xFF) == 6 && (b[o + 5] & 0xFF) == 4) {
                    listener.arp(p, Bytes.u16be(b, o + 6), Bytes.u48be(b, o + 8), Bytes.i32be(b, o + 14),
                            Bytes.u48be(b, o + 18), Bytes.i32be(b, o + 24));
                } else {
                    listener.malformed(p, null, AppProtocol.ARP);
                }
            }
            default -> { }
        }
    }

    private void guarded(Dissector d, Packet p, byte[] b, int o, int n) {
        try {
            d.dissect(p, null, true, b, o, n, listener);
        } catch (RuntimeException e) {
            stats.dissectorErrors++;
        }
    }

    private void udp(Packet p, Flow flow, boolean fromClient) {
        if (!flow.appDecided) {
            if (TextDissector.startsWith(p.data, p.payloadOffset, p.payloadLength, "HTTP/1.")) flow.app = AppProtocol.SSDP;
            else if (looksLikeDnsQuery(p.data, p.payloadOffset, p.payloadLength)) flow.app = AppProtocol.DNS;
            flow.appDecided = true;
        }
        Dissector d = udpDissectors[flow.app.ordinal()];
        if (d != null) d.dissect(p, flow, fromClient, p.data, p.payloadOffset, p.payloadLength, listener);
    }

    private void tcp(Packet p, Flow flow, boolean fromClient) {
        Flow.TcpDirection dir = flow.direction(fromClient);
        long seq = p.tcpSeq;
        if ((p.tcpFlags & Packet.TCP_ACK) != 0) {
            Flow.TcpDirection other = flow.direction(!fromClient);
            if (!other.ackKnown || (int) (p.tcpAck - other.ackedByPeer) > 0) other.ackedByPeer = p.tcpAck;
            other.ackKnown = true;
        }
        if ((p.tcpFlags & Packet.TCP_SYN) != 0) {
            dir.synced = true;
            dir.nextSeq = (seq + 1) & 0xFFFFFFFFL;
            dir.len = 0;
            return;
        }
        int off = p.payloadOffset, len = p.payloadLength;
        if (len <= 0) return;
        if (!dir.synced) {
            dir.synced = true;
            dir.nextSeq = seq;
        }
        int diff = (int) (seq - dir.nextSeq);
        if (dir.ackKnown && (int) (dir.ackedByPeer - (seq + len)) >= 0) {
            return; // the peer acknowledged these bytes before we saw them: a (spurious) retransmission
        }
        if (diff < 0) { // retransmission, maybe partly new
            if (-diff >= len) return;
            off -= diff;
            len += diff;
        } else if (diff > 0) { // bytes missing: drop what was held and resynchronise here
            stats.tcpGaps++;
            streamBytesHeld -= dir.len;
            dir.len = 0;
            dir.lostBytes = true;
        }
        dir.nextSeq = (dir.nextSeq + (diff > 0 ? diff : 0) + len) & 0xFFFFFFFFL;
        if (!flow.appDecided) decideByPayload(flow, p.data, off, len, fromClient);
        Dissector d = tcpDissectors[flow.app.ordinal()];
        if (d == null) return;
        if (dir.len == 0) {
            int used = d.dissect(p, flow, fromClient, p.data, off, len, listener);
            if (used < len) hold(dir, p.data, off + used, len - used);
            return;
        }
        hold(dir, p.data, off, len);
        int used = d.dissect(p, flow, fromClient, dir.buf, 0, dir.len, listener);
        if (used > 0) {
            System.arraycopy(dir.buf, used, dir.buf, 0, dir.len - used);
            dir.len -= used;
            streamBytesHeld -= used;
        }
    }

    private void hold(Flow.TcpDirection dir, byte[] b, int off, int len) {
        int need = dir.len + len;
        if (need > limits.maxStreamBuffer() || streamBytesHeld + len > limits.streamBudgetBytes()) {
            stats.streamOverflows++;
            streamBytesHeld -= dir.len;
            dir.len = 0;
            dir.lostBytes = true;
            return;
        }
        if (dir.buf == null || dir.buf.length < need) {
            byte[] grown = new byte[Math.min(limits.maxStreamBuffer(), Math.max(need, dir.buf == null ? 2048 : dir.buf.length * 2))];
            if (dir.buf != null) System.arraycopy(dir.buf, 0, grown, 0, dir.len);
            dir.buf = grown;
        }
        System.arraycopy(b, off, dir.buf, dir.len, len);
        dir.len = need;
        streamBytesHeld += len;
    }

    /** A standard query with one question whose first label fits: DNS on a port nobody registered. */
    private static boolean looksLikeDnsQuery(byte[] b, int off, int len) {
        if (len < 17) return false;
        int flags = Bytes.u16be(b, off + 2);
        if ((flags & 0x7800) != 0 || (flags & 0x0040) != 0) return false; // opcode QUERY, Z bit clear
        if (Bytes.u16be(b, off + 4) != 1 || Bytes.u16be(b, off + 8) > 16) return false;
        int label = b[off + 12] & 0xFF;
        return label > 0 && label < 64 && 13 + label < len;
    }

    /** One whole MBAP request in the segment: protocol id 0, length exactly the rest, a public function code. */
    private static boolean looksLikeModbusRequest(byte[] b, int off, int len) {
        if (len < 8 || len > 260 || Bytes.u16be(b, off + 2) != 0 || Bytes.u16be(b, off + 4) != len - 6) return false;
        int function = b[off + 7] & 0xFF;
        return (function >= 1 && function <= 6) || function == 15 || function == 16 || function == 22 || function == 23 || function == 43;
    }

    private void decideByPayload(Flow flow, byte[] b, int off, int len, boolean fromClient) {
        if (TlsDissector.looksLikeTls(b, off, len)) flow.app = AppProtocol.TLS;
        else if (TextDissector.looksLikeHttp(b, off, len)) flow.app = AppProtocol.HTTP;
        else if (TextDissector.startsWith(b, off, len, "SSH-")) flow.app = AppProtocol.SSH;
        else if (len >= 8 && (b[off] & 0xFF) == 0x05 && (b[off + 1] & 0xFF) == 0x64) flow.app = AppProtocol.DNP3;
        else if (len >= 7 && (b[off] & 0xFF) == 0x03 && (b[off + 1] & 0xFF) == 0 && (b[off + 5] & 0xF0) == 0xE0) flow.app = AppProtocol.S7COMM;
        else if (fromClient && looksLikeModbusRequest(b, off, len)) flow.app = AppProtocol.MODBUS;
        else if (fromClient && len >= 12 && (b[off] & 0xFF) == 0x10 && TextDissector.startsWith(b, off + 4, len - 4, "MQ")) flow.app = AppProtocol.MQTT;
        if (flow.app != AppProtocol.UNKNOWN || flow.packets[0] + flow.packets[1] > UNDECIDED_PAYLOADS) flow.appDecided = true;
    }
}
