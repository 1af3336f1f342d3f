package dev.holdfast.device.sim;

import dev.holdfast.device.DeviceIdentity;
import dev.holdfast.device.DeviceRuntime;
import dev.holdfast.device.SoftwareKeys;
import dev.holdfast.device.hub.Backoff;
import dev.holdfast.device.hub.HubClient;
import dev.holdfast.device.hub.HubClientConfig;
import dev.holdfast.device.hub.Message;
import dev.holdfast.device.hub.OverflowPolicy;
import dev.holdfast.device.provisioning.HttpsProvisioningClient;
import dev.holdfast.device.provisioning.MqttProvisioningClient;
import dev.holdfast.device.provisioning.ProvisioningClient;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A simulated fleet in one JVM: every device's MQTT connection shares one Netty event loop group,
 * blocking steps (provisioning over HTTPS, waiting for a connection) run on virtual threads, and
 * telemetry timers are event-loop tasks, so thousands of devices cost memory, not threads.
 *
 * <p>{@link #start} manufactures each device (IDevID from the {@link Factory}), provisions it (or
 * not, see {@link SimulationConfig.ProvisioningMode}), connects it, reports its posture properties,
 * and schedules its telemetry; then plays the scripted misbehaviour. {@link #close} stops it all.
 */
public final class FleetSimulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetSimulator.class);
    private static final Misconfiguration[] ISSUES = Misconfiguration.values();

    private final SimulationConfig config;
    private final DeviceRuntime runtime;
    private final List<SimulatedDevice> devices;
    private final List<ScheduledFuture<?>> timers = new CopyOnWriteArrayList<>();
    private final AtomicLong reportedOk = new AtomicLong();
    private final AtomicLong reportedFailed = new AtomicLong();
    private final AtomicLong authAttempted = new AtomicLong();
    private final AtomicLong topicAbuse = new AtomicLong();
    private final AtomicLong flood = new AtomicLong();
    private final List<HubClient> rogues = new CopyOnWriteArrayList<>();
    private final List<Thread> floods = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile long fleetConnectNanos;
    private volatile long heapPerDevice;

    private FleetSimulator(SimulationConfig config) {
        this.config = config;
        this.runtime = DeviceRuntime.create(config.ioThreads());
        this.devices = plan(config);
    }

    /** Builds, provisions and connects the fleet; returns once every device has connected or failed. */
    public static FleetSimulator start(SimulationConfig config, Consumer<String> progress) throws InterruptedException {
        FleetSimulator sim = new FleetSimulator(config);
        try {
            sim.run(progress);
        } catch (InterruptedException | RuntimeException e) {
            sim.close();
            throw e;
        }
        return sim;
    }

    public List<SimulatedDevice> devices() {
        return Collections.unmodifiableList(devices);
    }

    static List<SimulatedDevice> plan(SimulationConfig c) {
        SplittableRandom r = new SplittableRandom(c.seed());
        List<Map.Entry<DeviceProfile, Integer>> weights = c.profileWeights().entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.comparingByKey()).toList();
        int total = weights.stream().mapToInt(Map.Entry::getValue).sum();
        List<SimulatedDevice> out = new ArrayList<>(c.devices());
        for (int i = 0; i < c.devices(); i++) {
            int pick = r.nextInt(total);
            DeviceProfile profile = weights.getLast().getKey();
            for (var w : weights) {
                if (pick < w.getValue()) {
                    profile = w.getKey();
                    break;
                }
                pick -= w.getValue();
            }
            EnumSet<Misconfiguration> issues = EnumSet.noneOf(Misconfiguration.class);
            if (r.nextDouble() < c.misconfiguredShare()) {
                int n = 1 + r.nextInt(3);
                for (int k = 0; k < n; k++) issues.add(ISSUES[r.nextInt(ISSUES.length)]);
            }
            out.add(new SimulatedDevice(String.format("%s-%s-%05d", c.idPrefix(), profile.id(), i), profile, issues));
        }
        return out;
    }

    private void run(Consumer<String> progress) throws InterruptedException {
        long heapBefore = usedHeapAfterGc();
        ProvisioningClient provisioning = switch (config.provisioning()) {
            case HTTPS -> new HttpsProvisioningClient(config.provisioningUri(), config.trust(), Duration.ofMinutes(2), Duration.ofMillis(500));
            case MQTT -> new MqttProvisioningClient(runtime, config.dpsHost(), config.dpsPort(), null, config.trust(), Duration.ofMinutes(2),
                    Duration.ofMillis(500));
            case NONE -> null;
        };
        Semaphore permits = new Semaphore(config.provisioningConcurrency());
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (SimulatedDevice d : devices) {
                workers.execute(() -> {
                    try {
                        permits.acquire();
                        try {
                            bringUp(d, provisioning);
                        } finally {
                            permits.release();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    long n = done.incrementAndGet();
                    if (n % 500 == 0 || n == devices.size()) progress.accept(n + "/" + devices.size() + " devices brought up");
                });
            }
        }
        fleetConnectNanos = System.nanoTime() - start;
        long connected = devices.stream().filter(d -> d.connectNanos >= 0).count();
        heapPerDevice = connected == 0 ? 0 : Math.max(0, usedHeapAfterGc() - heapBefore) / connected;
        misbehave();
    }

    /** Registrations a simulated device tries before it reports a provisioning failure. */
    static final int PROVISIONING_ATTEMPTS = 3;

    private void bringUp(SimulatedDevice d, ProvisioningClient provisioning) {
        try {
            Duration age = d.issues.contains(Misconfiguration.OLD_FACTORY_CERTIFICATE) ? Duration.ofDays(6 * 365) : Duration.ofDays(30);
            d.idevid = config.factory().manufacture(d.registrationId, age);
            if (provisioning == null) {
                d.operational = d.idevid;
                d.deviceId = d.registrationId;
                d.hubHost = config.hubHost();
            } else {
                // Like a real device, retry a failed registration a few times with a growing, jittered pause
                // (a busy server may time out or answer 429/503), then give up and report why.
                ProvisioningClient.Provisioned p = null;
                for (int attempt = 1; p == null; attempt++) {
                    try {
                        p = provisioning.provision(config.idScope(), d.idevid, SoftwareKeys.generateP256(),
                                Optional.of("{\"profile\":\"" + d.profile.id() + "\"}"));
                    } catch (Exception e) {
                        if (attempt >= PROVISIONING_ATTEMPTS || e instanceof InterruptedException) throw e;
                        LOG.debug("{}: provisioning attempt {} failed, retrying: {}", d.registrationId, attempt, e.getMessage());
                        Thread.sleep(1_000L * attempt + java.util.concurrent.ThreadLocalRandom.current().nextLong(500));
                    }
                }
                d.operational = p.operational();
                d.deviceId = p.deviceId();
                d.hubHost = p.hubHost();
            }
        } catch (Exception e) {
            d.failure = "provisioning: " + e.getMessage();
            LOG.warn("{}: {}", d.registrationId, d.failure);
            return;
        }
        HubClient client = HubClient.create(runtime, hubConfig(d.hubHost, d.deviceId, d.operational).build());
        client.onAnyMethod((name, payload) -> new dev.holdfast.device.hub.MethodResponse(200, "{\"method\":\"" + name.replace("\"", "") + "\",\"ok\":true}"));
        d.client = client;
        long t0 = System.nanoTime();
        try {
            client.connect().get(60, TimeUnit.SECONDS);
            d.connectNanos = System.nanoTime() - t0;
        } catch (Exception e) {
            d.failure = "connect: " + client.stats().lastError();
            return;
        }
        if (config.reportPosture()) {
            client.updateReported(PostureProperties.of(d.profile, d.issues, d.operational.leaf(), d.idevid.leaf(), Instant.now()))
                    .whenComplete((v, err) -> (err == null ? reportedOk : reportedFailed).incrementAndGet());
        }
        scheduleTelemetry(d);
    }

    private HubClientConfig.Builder hubConfig(String hubHost, String deviceId, DeviceIdentity identity) {
        HubClientConfig.Builder b = HubClientConfig.builder(hubHost, deviceId, identity, config.trust()).port(config.hubPort())
                .backoff(new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30))).buffer(200, OverflowPolicy.DROP_OLDEST);
        config.hubConnectHost().ifPresent(b::connectHost);
        return b;
    }

    private void scheduleTelemetry(SimulatedDevice d) {
        long interval = config.telemetryInterval().orElse(d.profile.telemetryInterval()).toMillis();
        if (interval <= 0) return;
        SplittableRandom r = new SplittableRandom(config.seed() ^ d.registrationId.hashCode());
        AtomicLong seq = new AtomicLong();
        HubClient c = d.client;
        // A random first delay spreads the fleet's messages over the interval instead of sending them in bursts.
        timers.add(runtime.eventLoops().next().scheduleAtFixedRate(() -> c.sendTelemetry(Message.json(d.profile.telemetry(seq.incrementAndGet(), r))),
                r.nextLong(interval), interval, TimeUnit.MILLISECONDS));
    }

    private void misbehave() {
        // Authentication failures: devices of a manufacturer nobody enrolled try to connect straight to the hub.
        if (config.authFailureDevices() > 0) {
            Factory rogue = Factory.generate("Rogue Manufacturer");
            for (int i = 0; i < config.authFailureDevices(); i++) {
                String id = config.idPrefix() + "-rogue-" + i;
                DeviceIdentity idevid = rogue.manufacture(id, Duration.ofDays(1));
                HubClient c = HubClient.create(runtime, HubClientConfig.builder(config.hubHost(), id, idevid, config.trust()).port(config.hubPort())
                        .connectHost(config.hubConnectHost().orElse(config.hubHost())).backoff(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(5))).build());
                c.onConnectionState(s -> {
                    if (s == HubClient.ConnectionState.CONNECTING) authAttempted.incrementAndGet();
                });
                rogues.add(c);
                c.connect();
            }
        }
        List<SimulatedDevice> live = devices.stream().filter(d -> d.connectNanos >= 0).toList();
        // Topic abuse: publishing outside the device's own namespace, which the hub must refuse.
        for (int i = 0; i < Math.min(config.topicAbuseDevices(), live.size()); i++) {
            SimulatedDevice d = live.get(i);
            String other = live.get((i + 1) % live.size()).deviceId;
            for (String topic : List.of("devices/" + other + "/messages/events/", "devices/" + d.deviceId + "/messages/devicebound/spoof",
                    "$iothub/twin/PATCH/properties/desired/?$version=1", "$SYS/broker/clients")) {
                d.client.publishRaw(topic, "{\"abuse\":true}".getBytes(StandardCharsets.UTF_8));
                topicAbuse.incrementAndGet();
            }
        }
        // Floods: a burst far above the profile's rate, for a while.
        for (int i = 0; i < Math.min(config.floodDevices(), live.size()); i++) {
            SimulatedDevice d = live.get(live.size() - 1 - i);
            long periodNanos = Math.max(1, 1_000_000_000L / Math.max(1, config.floodRatePerSecond()));
            long endAt = System.nanoTime() + config.floodDuration().toNanos();
            floods.add(Thread.ofVirtual().name("flood-" + d.deviceId).start(() -> {
                long next = System.nanoTime();
                while (!closed && System.nanoTime() < endAt) {
                    flood.incrementAndGet();
                    d.client.sendTelemetry(Message.json("{\"flood\":" + flood.get() + "}"));
                    next += periodNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }));
        }
    }

    public SimulationReport report() {
        List<Long> times = new ArrayList<>();
        long sent = 0, acked = 0, overflow = 0;
        int provisioned = 0, provFailed = 0, connectFailed = 0, misconfigured = 0;
        for (SimulatedDevice d : devices) {
            if (!d.issues.isEmpty()) misconfigured++;
            if (d.operational != null) provisioned++;
            else if (d.failure != null) provFailed++;
            if (d.connectNanos >= 0) times.add(d.connectNanos);
            else if (d.operational != null && d.failure != null) connectFailed++;
            if (d.client != null) {
                HubClient.Stats s = d.client.stats();
                sent += s.telemetrySent();
                acked += s.telemetryAcknowledged();
                overflow += s.bufferOverflows();
            }
        }
        long refused = rogues.stream().mapToLong(r -> r.stats().failedConnects()).sum();
        Collections.sort(times);
        return new SimulationReport(devices.size(), provisioned, provFailed, times.size(), connectFailed, sent, acked, overflow, reportedOk.get(),
                reportedFailed.get(), authAttempted.get(), refused, topicAbuse.get(), flood.get(), pct(times, 0.5), pct(times, 0.95),
                pct(times, 1.0), Duration.ofNanos(fleetConnectNanos), heapPerDevice, misconfigured);
    }

    private static Duration pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) return Duration.ZERO;
        int i = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(p * sorted.size()) - 1));
        return Duration.ofNanos(sorted.get(i));
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 2; i++) System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Override
    public void close() {
        closed = true;
        timers.forEach(t -> t.cancel(false));
        for (Thread t : floods) {
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (ExecutorService closers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (SimulatedDevice d : devices) {
                HubClient c = d.client;
                if (c != null) closers.execute(c::close);
            }
            rogues.forEach(r -> closers.execute(r::close));
        }
        runtime.close();
    }
}
