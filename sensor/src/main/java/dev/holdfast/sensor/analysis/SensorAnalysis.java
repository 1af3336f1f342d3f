package dev.holdfast.sensor.analysis;

import dev.holdfast.events.Severity;
import dev.holdfast.sensor.PacketPipeline;
import dev.holdfast.sensor.decode.Addresses;
import dev.holdfast.sensor.decode.DecodeStats;
import dev.holdfast.sensor.decode.Flow;
import dev.holdfast.sensor.decode.Packet;
import dev.holdfast.sensor.dissect.AppProtocol;
import dev.holdfast.sensor.dissect.BacnetDissector;
import dev.holdfast.sensor.dissect.Dnp3Dissector;
import dev.holdfast.sensor.dissect.EnipDissector;
import dev.holdfast.sensor.dissect.Field;
import dev.holdfast.sensor.dissect.ModbusDissector;
import dev.holdfast.sensor.dissect.S7Dissector;
import dev.holdfast.sensor.pcap.CaptureReader;
import dev.holdfast.sensor.pcap.CaptureStats;
import dev.holdfast.sensor.pcap.Captures;
import dev.holdfast.sensor.pcap.Frame;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The sensor's analysis: asset inventory, communication map and detection over a learned
 * baseline. Feed it captures ({@link #learn} for an explicit baseline, {@link #analyze} for the
 * rest) or frames from a live capture ({@link #process}); {@link #report} snapshots the results.
 * Single-threaded.
 */
public final class SensorAnalysis implements PacketPipeline.Listener {
    private final SensorConfig config;
    private final OuiTable oui;
    private final LongMap<Asset> byMac = new LongMap<>();
    private final LongMap<Asset> byIp = new LongMap<>();
    private final Map<String, Asset> assetsByKey = new LinkedHashMap<>();
    private final Map<ConversationKey, long[]> conversations = new HashMap<>();
    private final Set<ConversationKey> baselineFlows = new HashSet<>();
    private final Set<String> alerted = new HashSet<>();
    private final List<Alert> alerts = new ArrayList<>();
    private final Map<Integer, Long> arpBindings = new HashMap<>();
    private final Map<Long, ScanState> scans = new HashMap<>();
    private final Map<String, Long> counters = new TreeMap<>();
    private final EnumMap<AppProtocol, long[]> malformed = new EnumMap<>(AppProtocol.class);
    private final DecodeStats decodeTotals = new DecodeStats();
    private final long bucketNanos;
    private PacketPipeline pipeline;
    private boolean learning = true;
    private boolean explicitBaseline;
    private long firstPacketNanos = Long.MIN_VALUE;
    private long nowNanos;
    private String capture = "";
    private Packet current;
    private CertificateFactory certificates;

    public SensorAnalysis(SensorConfig config, OuiTable oui) {
        this.config = config;
        this.oui = oui;
        this.bucketNanos = config.volumeBucket().toNanos();
        newPipeline();
    }

    private void newPipeline() {
        if (pipeline != null) {
            pipeline.finish();
            add(pipeline.stats());
        }
        pipeline = new PacketPipeline(this, PacketPipeline.Limits.defaults());
    }

    /** Learns from a capture as baseline; detection starts at {@link #endLearning} (or the first {@link #analyze}). */
    public CaptureStats learn(Path file) throws IOException {
        explicitBaseline = true;
        learning = true;
        return read(file);
    }

    /** Ends learning: everything seen so far is the baseline. */
    public void endLearning() {
        if (!learning) return;
        newPipeline(); // flows of the learning captures enter the baseline now
        learning = false;
        assetsByKey.values().forEach(a -> a.learned = true);
        learnedAssets = assetsByKey.size();
        assetsByKey.values().forEach(Asset::freezeVolumeBaseline);
    }

    /** Analyses a capture; with an explicit baseline learned before, detection is on from its first packet. */
    public CaptureStats analyze(Path file) throws IOException {
        if (explicitBaseline) endLearning();
        return read(file);
    }

    private CaptureStats read(Path file) throws IOException {
        capture = file.getFileName().toString();
        CaptureStats stats;
        try (CaptureReader reader = Captures.open(file)) {
            Frame f = new Frame();
            try {
                while (reader.next(f)) process(f);
            } catch (IOException e) {
                // a corrupt compressed stream: what was read stays analysed, the rest is counted as truncated
                reader.stats().truncated++;
                reader.stats().stopReason = "read error: " + e.getMessage();
            }
            stats = reader.stats();
        }
        count("capture.frames", stats.frames);
        count("capture.bytes", stats.bytes);
        count("capture.malformedRecords", stats.malformedRecords);
        count("capture.truncated", stats.truncated);
        count("capture.files", 1);
        newPipeline();
        return stats;
    }

    /** One frame (live capture or a reader). */
    public void process(Frame f) {
        if (firstPacketNanos == Long.MIN_VALUE) firstPacketNanos = f.timestampNanos;
        nowNanos = f.timestampNanos;
        if (learning && !explicitBaseline && nowNanos - firstPacketNanos > config.learningPeriod().toNanos()) endLearning();
        pipeline.process(f);
    }

    /** Ends the flows of the current pipeline (end of a live capture or before a report). */
    public void flush() {
        newPipeline();
    }

    public boolean learning() {
        return learning;
    }

    public List<Alert> alerts() {
        return List.copyOf(alerts);
    }

    // ---- listener -------------------------------------------------------------------------

    @Override
    public void packet(Packet p, Flow flow, boolean fromClient, boolean newFlow) {
        current = p;
        Asset src = null, dst = null;
        if (p.hasMac) {
            src = Addresses.isMulticastOrBroadcastMac(p.srcMac) ? null : assetByMac(p.srcMac, p);
            if (!Addresses.isMulticastOrBroadcastMac(p.dstMac)) dst = assetByMac(p.dstMac, p);
            if (src != null && p.ipVersion != 0 && isUsableSource(p)) src.addIp(p.srcHi, p.srcLo);
        } else if (p.ipVersion != 0) {
            src = assetByIp(p.srcHi, p.srcLo, p);
            if (!isMulticastIp(p.dstHi, p.dstLo)) dst = assetByIp(p.dstHi, p.dstLo, p);
        }
        if (src != null) {
            src.packets++;
            src.bytes += p.frameLength;
            src.lastSeenNanos = p.timestampNanos;
            volume(src, p);
        }
        if (dst != null) dst.lastSeenNanos = p.timestampNanos;
        if (flow != null && flow.appDecided && flow.app != AppProtocol.UNKNOWN && p.payloadLength > 0) {
            Asset c = fromClient ? src : dst, s = fromClient ? dst : src;
            if (s != null) s.serves.add(flow.app);
            if (c != null) c.uses.add(flow.app);
        }
        if (newFlow && flow != null && flow.protocol == 6 && (p.tcpFlags & (Packet.TCP_SYN | Packet.TCP_ACK)) == Packet.TCP_SYN) scan(p);
    }

    private static boolean isUsableSource(Packet p) {
        return !(Addresses.isV4(p.srcHi, p.srcLo) && (int) p.srcLo == 0);
    }

    private static boolean isMulticastIp(long hi, long lo) {
        if (Addresses.isV4(hi, lo)) {
            int a = (int) lo;
            return (a >>> 28) == 0xE || a == -1;
        }
        return (hi >>> 56) == 0xFF;
    }

    private Asset assetByMac(long mac, Packet p) {
        Asset a = byMac.get(mac);
        if (a == null) {
            a = new Asset(mac, Addresses.mac(mac));
            a.vendor = oui.vendor(mac).orElse(null);
            a.firstSeenNanos = p.timestampNanos;
            byMac.put(mac, a);
            assetsByKey.put(a.key, a);
            newAsset(a, p);
        }
        return a;
    }

    private Asset assetByIp(long hi, long lo, Packet p) {
        long k = lo * 31 + hi;
        Asset a = byIp.get(k);
        if (a == null) {
            a = new Asset(0, Addresses.ip(hi, lo));
            a.addIp(hi, lo);
            a.firstSeenNanos = p.timestampNanos;
            byIp.put(k, a);
            assetsByKey.put(a.key, a);
            newAsset(a, p);
        }
        return a;
    }

    private void newAsset(Asset a, Packet p) {
        if (learning) return;
        alert(Alert.Kind.NEW_ASSET, Severity.MEDIUM, a.key, "", "new device " + a.key + (a.vendor != null ? " (" + a.vendor + ")" : "")
                + (p.ipVersion != 0 ? " sending from " + Addresses.ip(p.srcHi, p.srcLo) : ""),
                "not among the " + countLearned() + " devices of the baseline", p, "asset:" + a.key);
    }

    private long learnedAssets;

    private long countLearned() {
        return learnedAssets;
    }

    private Asset client(Flow f) {
        return endpoint(f.clientMac, f.clientHi, f.clientLo);
    }

    private Asset server(Flow f) {
        return endpoint(f.serverMac, f.serverHi, f.serverLo);
    }

    private Asset endpoint(long mac, long hi, long lo) {
        if (mac != 0 && !Addresses.isMulticastOrBroadcastMac(mac)) {
            Asset a = byMac.get(mac);
            if (a != null) return a;
        }
        return byIp.get(lo * 31 + hi);
    }

    @Override
    public void number(Packet p, Flow flow, boolean fromClient, Field field, long value) {
        if (flow == null) return;
        Asset c = client(flow), s = server(flow);
        if (s != null) s.serves.add(field.protocol);
        if (c != null) c.uses.add(field.protocol);
        switch (field) {
            case MODBUS_FUNCTION -> { if (fromClient) function(p, flow, c, AppProtocol.MODBUS, (int) value, ModbusDissector.isWrite((int) value)); }
            case DNP3_FUNCTION -> { if (fromClient) function(p, flow, c, AppProtocol.DNP3, (int) value, Dnp3Dissector.isControl((int) value)); }
            case S7_FUNCTION -> { if (fromClient) function(p, flow, c, AppProtocol.S7COMM, (int) value, S7Dissector.isWrite((int) value)); }
            case CIP_SERVICE -> { if (fromClient) function(p, flow, c, AppProtocol.ENIP, (int) value, EnipDissector.isWrite((int) value)); }
            case BACNET_CONFIRMED_SERVICE -> { if (fromClient) function(p, flow, c, AppProtocol.BACNET, (int) value, BacnetDissector.isWrite((int) value)); }
            case TLS_NEGOTIATED_VERSION -> { if (value < 0x0303) weakTls(p, flow, "negotiated " + tlsVersion(value), "server chose a protocol version below TLS 1.2"); }
            case TLS_CLIENT_MAX_VERSION -> { if (value < 0x0303) weakTls(p, flow, "client offers at most " + tlsVersion(value), "client cannot use TLS 1.2 or later"); }
            case SNMP_VERSION -> { }
            default -> { }
        }
    }

    private static String tlsVersion(long v) {
        return switch ((int) v) {
            case 0x0300 -> "SSL 3.0"; case 0x0301 -> "TLS 1.0"; case 0x0302 -> "TLS 1.1"; case 0x0303 -> "TLS 1.2"; case 0x0304 -> "TLS 1.3";
            default -> "version 0x" + Long.toHexString(v);
        };
    }

    private void weakTls(Packet p, Flow flow, String what, String rule) {
        alert(Alert.Kind.WEAK_TLS, Severity.HIGH, Addresses.ip(flow.clientHi, flow.clientLo), server(flow, true),
                what, rule + " (policy: TLS 1.2 or later)", p, "tls:" + flow.clientLo + ":" + flow.serverLo + ":" + flow.serverPort + ":" + what);
    }

    private static String server(Flow f, boolean withPort) {
        return Addresses.ip(f.serverHi, f.serverLo) + (withPort ? ":" + f.serverPort : "");
    }

    private void function(Packet p, Flow flow, Asset client, AppProtocol proto, int function, boolean write) {
        if (client == null) return;
        if (write) client.sentIndustrialWrites = true;
        long key = ((long) proto.ordinal() << 32) | (flow.serverLo & 0xFFFFFFFFL) << 8 ^ function;
        if (client.knowsFunction(key)) return;
        client.addFunction(key, learning);
        if (learning) return;
        alert(Alert.Kind.NEW_INDUSTRIAL_FUNCTION, write ? Severity.HIGH : Severity.MEDIUM, Addresses.ip(flow.clientHi, flow.clientLo),
                server(flow, true), proto + " function " + function + (write ? " (writes or controls the device)" : "")
                        + " sent to " + server(flow, false),
                "this host never sent " + proto + " function " + function + " to that device during the baseline", p,
                "fn:" + client.key + ":" + key);
    }

    @Override
    public void text(Packet p, Flow flow, boolean fromClient, Field field, byte[] b, int off, int len) {
        if (field.secret) {
            credentials(p, flow, field, len);
            return;
        }
        Asset owner;
        switch (field) {
            // only the client's own messages describe it; a server's OFFER/ACK may echo the host name
            case DHCP_HOSTNAME, DHCP_VENDOR_CLASS, DHCP_PARAMETER_LIST -> owner = p.hasMac && fromClient ? byMac.get(p.srcMac) : null;
            case LLDP_SYSTEM_NAME, LLDP_SYSTEM_DESCRIPTION, CDP_DEVICE_ID, CDP_SOFTWARE, CDP_PLATFORM -> owner = p.hasMac ? byMac.get(p.srcMac) : null;
            case DNS_ANSWER_NAME, NBNS_NAME -> owner = flow != null && flow.app != AppProtocol.DNS ? (fromClient ? client(flow) : server(flow)) : null;
            case HTTP_USER_AGENT, SSH_BANNER, ENIP_PRODUCT_NAME, HTTP_SERVER, SSDP_SERVER, MQTT_CLIENT_ID ->
                    owner = flow == null ? null : fromClient ? client(flow) : server(flow);
            case HTTP_BASIC_USER, MQTT_USERNAME, FTP_USER -> { lastUser = new String(b, off, Math.min(len, 64), StandardCharsets.UTF_8); return; }
            default -> { return; }
        }
        if (owner == null) return;
        long h = hash(field, b, off, len);
        if (!owner.firstTime(h)) return;
        String v = printable(b, off, len);
        switch (field) {
            case DHCP_HOSTNAME, DNS_ANSWER_NAME, NBNS_NAME, LLDP_SYSTEM_NAME, CDP_DEVICE_ID, MQTT_CLIENT_ID -> owner.names.add(v);
            case DHCP_VENDOR_CLASS -> owner.dhcpVendorClass = v;
            case DHCP_PARAMETER_LIST -> {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < len; i++) sb.append(i > 0 ? "," : "").append(b[off + i] & 0xFF);
                owner.dhcpFingerprint = sb.toString();
            }
            default -> owner.software.add(field.name().toLowerCase().replace('_', ' ') + ": " + v);
        }
    }

    private String lastUser;

    private void credentials(Packet p, Flow flow, Field field, int len) {
        if (flow == null) return;
        String user = field == Field.SNMP_COMMUNITY ? null : lastUser;
        String what = switch (field) {
            case MQTT_PASSWORD -> "MQTT CONNECT with a cleartext password";
            case HTTP_BASIC_PASSWORD -> "HTTP Basic credentials in cleartext";
            case FTP_PASSWORD -> "FTP PASS in cleartext";
            case SNMP_COMMUNITY -> "SNMP v1/v2c community string in cleartext";
            default -> field.name();
        };
        alert(Alert.Kind.CLEARTEXT_CREDENTIALS, Severity.HIGH, Addresses.ip(flow.clientHi, flow.clientLo), server(flow, true),
                what + (user != null ? " for user '" + user + "'" : "") + " (" + len + " bytes, value not recorded)",
                "credentials must only cross the network inside TLS", p, "cred:" + field + ":" + flow.clientLo + ":" + flow.serverLo + ":" + flow.serverPort);
        lastUser = null;
    }

    @Override
    public void certificate(Packet p, Flow flow, int index, byte[] b, int off, int len) {
        if (flow == null || index != 0) return;
        Asset s = server(flow);
        long h = hash(Field.TLS_CIPHER, b, off, len);
        if (s != null && !s.firstTime(h)) return;
        try {
            if (certificates == null) certificates = CertificateFactory.getInstance("X.509");
            X509Certificate cert = (X509Certificate) certificates.generateCertificate(new ByteArrayInputStream(b, off, len));
            String subject = cert.getSubjectX500Principal().getName();
            if (s != null) s.software.add("tls certificate: " + subject + " issued by " + cert.getIssuerX500Principal().getName()
                    + " valid " + cert.getNotBefore().toInstant() + " to " + cert.getNotAfter().toInstant());
            Instant at = Instant.ofEpochSecond(0, p.timestampNanos);
            List<String> problems = new ArrayList<>();
            if (cert.getNotAfter().toInstant().isBefore(at)) problems.add("expired " + cert.getNotAfter().toInstant());
            if (cert.getNotBefore().toInstant().isAfter(at)) problems.add("not valid before " + cert.getNotBefore().toInstant());
            if (cert.getPublicKey() instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < 2048) problems.add("RSA key of " + rsa.getModulus().bitLength() + " bits");
            if (cert.getPublicKey() instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() < 256) problems.add("EC key of " + ec.getParams().getCurve().getField().getFieldSize() + " bits");
            String alg = cert.getSigAlgName().toUpperCase();
            if (alg.contains("MD5") || alg.contains("SHA1")) problems.add("signed with " + cert.getSigAlgName());
            if (!problems.isEmpty()) {
                alert(Alert.Kind.WEAK_CERTIFICATE, Severity.HIGH, server(flow, true), Addresses.ip(flow.clientHi, flow.clientLo),
                        "server certificate " + subject + ": " + String.join(", ", problems),
                        "certificates must be valid at the time of use, RSA >= 2048 or EC >= 256 bits, SHA-2 signatures", p,
                        "cert:" + h);
            }
        } catch (CertificateException | RuntimeException e) {
            malformed(p, flow, AppProtocol.TLS);
        }
    }

    @Override
    public void malformed(Packet p, Flow flow, AppProtocol protocol) {
        malformed.computeIfAbsent(protocol, k -> new long[1])[0]++;
    }

    @Override
    public void arp(Packet p, int operation, long senderMac, int senderIp, long targetMac, int targetIp) {
        Asset a = p.hasMac ? byMac.get(p.srcMac) : null;
        if (a != null && senderIp != 0) a.addIp(0, Addresses.v4(senderIp));
        if (senderIp == 0) return;
        Long previous = arpBindings.put(senderIp, senderMac);
        if (previous != null && previous != senderMac) {
            alert(Alert.Kind.ARP_SPOOFING, Severity.HIGH, Addresses.mac(senderMac), Addresses.ip(0, Addresses.v4(senderIp)),
                    Addresses.mac(senderMac) + " claims " + Addresses.ip(0, Addresses.v4(senderIp)) + " (ARP " + (operation == 2 ? "reply" : "request") + ")",
                    "that address was bound to " + Addresses.mac(previous), p, "arp:" + senderIp + ":" + senderMac);
        }
    }

    @Override
    public void flowEnded(Flow f) {
        String transport = f.protocol == 6 ? "tcp" : f.protocol == 17 ? "udp" : f.protocol == 1 ? "icmp" : f.protocol == 58 ? "icmpv6" : "ip/" + f.protocol;
        ConversationKey key = new ConversationKey(Addresses.ip(f.clientHi, f.clientLo), Addresses.ip(f.serverHi, f.serverLo),
                transport, f.serverPort, f.app.name());
        long[] c = conversations.computeIfAbsent(key, k -> new long[]{0, 0, 0, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE});
        c[0]++;
        c[1] += f.packets[0];
        c[2] += f.packets[1];
        c[3] += f.bytes[0];
        c[4] += f.bytes[1];
        c[5] = Math.min(c[5], f.firstSeenNanos);
        c[6] = Math.max(c[6], f.lastSeenNanos);
        boolean answered = f.protocol != 6 ? f.packets[1] > 0 || f.packets[0] > 1 : f.sawSynAck || (f.packets[1] > 0 && !f.sawRst);
        if (learning) {
            baselineFlows.add(key);
        } else if (answered && !baselineFlows.contains(key)) {
            baselineFlows.add(key);
            alertAt(Alert.Kind.NEW_FLOW, Severity.LOW, key.client(), key.server() + ":" + key.serverPort(),
                    "new " + transport + " flow " + key.client() + " -> " + key.server() + ":" + key.serverPort() + " (" + f.app + ")",
                    "this pair never talked with this protocol and port during the baseline", f.firstSeenNanos, -1, "flow:" + key);
        }
    }

    // ---- detection helpers -----------------------------------------------------------------

    private void scan(Packet p) {
        ScanState s = scans.computeIfAbsent(p.srcLo * 31 + p.srcHi, k -> new ScanState());
        long window = config.scanWindow().toNanos();
        if (p.timestampNanos - s.windowStart > window || p.timestampNanos < s.windowStart) {
            s.windowStart = p.timestampNanos;
            s.targets.clear();
            s.hostsPerPort.clear();
            s.times.clear();
            s.frames.clear();
        }
        s.targets.computeIfAbsent(p.dstLo * 31 + p.dstHi, k -> new HashSet<>()).add(p.dstPort);
        s.hostsPerPort.computeIfAbsent(p.dstPort, k -> new HashSet<>()).add(p.dstLo * 31 + p.dstHi);
        if (s.times.size() < Alert.MAX_EVIDENCE) {
            s.times.add(Instant.ofEpochSecond(0, p.timestampNanos));
            s.frames.add(p.number);
        }
        String src = Addresses.ip(p.srcHi, p.srcLo);
        int ports = s.targets.get(p.dstLo * 31 + p.dstHi).size();
        if (ports >= config.scanThreshold()) {
            addAlert(Alert.Kind.PORT_SCAN, Severity.HIGH, src, Addresses.ip(p.dstHi, p.dstLo),
                    src + " opened connections to " + ports + " ports of " + Addresses.ip(p.dstHi, p.dstLo) + " within " + config.scanWindow(),
                    "more than " + config.scanThreshold() + " distinct ports per host per window is a scan", s.times, s.frames,
                    "scan:" + src + ":" + p.dstLo + ":" + s.windowStart);
        }
        int hosts = s.hostsPerPort.get(p.dstPort).size();
        if (hosts >= config.scanThreshold()) {
            addAlert(Alert.Kind.HOST_SCAN, Severity.HIGH, src, "*:" + p.dstPort,
                    src + " tried port " + p.dstPort + " on " + hosts + " hosts within " + config.scanWindow(),
                    "more than " + config.scanThreshold() + " distinct hosts per port per window is a sweep", s.times, s.frames,
                    "sweep:" + src + ":" + p.dstPort + ":" + s.windowStart);
        }
    }

    private static final class ScanState {
        long windowStart = Long.MIN_VALUE / 2;
        final Map<Long, Set<Integer>> targets = new HashMap<>();
        final Map<Integer, Set<Long>> hostsPerPort = new HashMap<>();
        final List<Instant> times = new ArrayList<>();
        final List<Long> frames = new ArrayList<>();
    }

    private void volume(Asset a, Packet p) {
        long ts = p.timestampNanos;
        if (a.bucketStart == 0 || ts < a.bucketStart) {
            a.bucketStart = ts - Math.floorMod(ts, bucketNanos);
            a.bucketBytes = 0;
        }
        while (ts >= a.bucketStart + bucketNanos) {
            closeBucket(a, p);
            a.bucketStart += bucketNanos;
            a.bucketBytes = 0;
            if (ts - a.bucketStart > 1000 * bucketNanos) { // long silence: skip ahead, the gap holds only empty buckets
                a.bucketStart = ts - Math.floorMod(ts, bucketNanos);
            }
        }
        a.bucketBytes += p.frameLength;
        if (a.bucketFirstFrame == 0) a.bucketFirstFrame = p.number;
    }

    private void closeBucket(Asset a, Packet p) {
        long v = a.bucketBytes;
        if (learning) {
            a.learnVolume(v);
        } else if (a.volumeMedian >= 0) {
            double threshold = a.volumeMedian + Math.max(config.volumeMadFactor() * 1.4826 * a.volumeMad, Math.max(a.volumeMedian, 65_536));
            if (v > threshold) {
                alertAt(Alert.Kind.VOLUME_ANOMALY, Severity.MEDIUM, a.key, "",
                        a.key + " sent " + v + " bytes in the " + config.volumeBucket() + " from " + Instant.ofEpochSecond(0, a.bucketStart),
                        String.format("baseline median %d bytes, MAD %d; threshold %.0f (median + max(%.1f scaled MADs, median, 64 KiB))",
                                a.volumeMedian, a.volumeMad, threshold, config.volumeMadFactor()),
                        a.bucketStart, a.bucketFirstFrame, "vol:" + a.key + ":" + a.bucketStart);
            }
        }
        a.bucketFirstFrame = 0;
    }

    private void alert(Alert.Kind kind, Severity severity, String source, String destination, String observed, String baseline, Packet p, String dedupe) {
        addAlert(kind, severity, source, destination, observed, baseline, List.of(Instant.ofEpochSecond(0, p.timestampNanos)), List.of(p.number), dedupe);
    }

    private void alertAt(Alert.Kind kind, Severity severity, String source, String destination, String observed, String baseline, long nanos, long frame, String dedupe) {
        addAlert(kind, severity, source, destination, observed, baseline, List.of(Instant.ofEpochSecond(0, nanos)),
                frame > 0 ? List.of(frame) : List.of(), dedupe);
    }

    private void addAlert(Alert.Kind kind, Severity severity, String source, String destination, String observed, String baseline,
                          List<Instant> times, List<Long> frames, String dedupe) {
        if (!alerted.add(dedupe)) return;
        alerts.add(new Alert(kind, severity, source, destination, observed, baseline, times, frames, capture));
    }

    private static long hash(Field field, byte[] b, int off, int len) {
        long h = 0xcbf29ce484222325L ^ field.ordinal();
        for (int i = 0; i < len; i++) h = (h ^ (b[off + i] & 0xFF)) * 0x100000001b3L;
        return h;
    }

    private static String printable(byte[] b, int off, int len) {
        String s = new String(b, off, Math.min(len, 256), StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7F ? '.' : c);
        }
        return sb.toString().trim();
    }

    private void count(String name, long v) {
        counters.merge(name, v, Long::sum);
    }

    private void add(DecodeStats s) {
        count("decode.unsupportedLinkType", s.unsupportedLinkType);
        count("decode.truncatedFrames", s.truncatedFrames);
        count("decode.badIpHeaders", s.badIpHeaders);
        count("decode.badTransportHeaders", s.badTransportHeaders);
        count("decode.ipv4Fragments", s.fragments);
        count("decode.reassembledDatagrams", s.reassembledDatagrams);
        count("decode.fragmentsDropped", s.fragmentsDropped);
        count("decode.tcpGaps", s.tcpGaps);
        count("decode.streamOverflows", s.streamOverflows);
        count("decode.dissectorErrors", s.dissectorErrors);
    }

    /** A snapshot of inventory, communication map, alerts and counters. Ends the live flows first. */
    public Report report() {
        flush();
        List<Report.AssetView> assets = assets();
        List<Report.Conversation> convs = new ArrayList<>();
        conversations.forEach((k, c) -> convs.add(new Report.Conversation(k.client(), k.server(), k.transport(), k.serverPort(), k.application(),
                c[0], c[1], c[2], c[3], c[4], Instant.ofEpochSecond(0, c[5]).toString(), Instant.ofEpochSecond(0, c[6]).toString())));
        convs.sort(Comparator.comparingLong((Report.Conversation c) -> -(c.bytesToServer() + c.bytesToClient())));
        Map<String, Long> all = new TreeMap<>(counters);
        malformed.forEach((k, v) -> all.put("malformed." + k.name().toLowerCase(), v[0]));
        all.put("assets", (long) assets.size());
        all.put("alerts", (long) alerts.size());
        return new Report(assets, convs, alerts, all, oui.source());
    }

    /** The inventory as it stands, without ending live flows (for a running capture). */
    public List<Report.AssetView> assets() {
        List<Report.AssetView> assets = new ArrayList<>();
        for (Asset a : assetsByKey.values()) {
            List<String> ips = new ArrayList<>();
            for (int i = 0; i < a.ipCount; i++) ips.add(Addresses.ip(a.ipHi[i], a.ipLo[i]));
            assets.add(new Report.AssetView(a.mac != 0 ? Addresses.mac(a.mac) : null, a.vendor, ips, List.copyOf(a.names),
                    a.serves.stream().map(Enum::name).toList(), a.uses.stream().map(Enum::name).toList(), a.role(),
                    List.copyOf(a.software), a.dhcpFingerprint, a.dhcpVendorClass,
                    Instant.ofEpochSecond(0, a.firstSeenNanos).toString(), Instant.ofEpochSecond(0, a.lastSeenNanos).toString(), a.packets, a.bytes));
        }
        return assets;
    }

    record ConversationKey(String client, String server, String transport, int serverPort, String application) {
    }

    static {
        // keep Arrays imported for the median computation in Asset
        Arrays.hashCode(new long[0]);
    }
}
