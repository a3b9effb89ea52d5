package dev.fedexlora.core.aggregate;

import java.util.List;

/**
 * What the robust options did in one round, for the round's aggregation report.
 *
 * @param clipNorm      the clipping bound (0: off)
 * @param outlierFactor the outlier factor (0: off)
 * @param medianNorm    the median update norm of the round's clients (NaN when the options are off)
 * @param clients       one entry per client of the round, in the order given to the aggregator
 */
public record RobustnessReport(double clipNorm, double outlierFactor, double medianNorm, List<ClientNorm> clients) {

    /** The report of a round aggregated with the options off. */
    public static final RobustnessReport OFF = new RobustnessReport(0, 0, Double.NaN, List.of());

    public RobustnessReport {
        clients = List.copyOf(clients);
    }

    /**
     * One client's update.
     *
     * @param client     the client's name as given to the aggregator
     * @param updateNorm ‖Δᵢ‖_F before clipping
     * @param clipFactor the factor its update was scaled by (1: not clipped)
     * @param rejected   left out of the round as a norm outlier
     */
    public record ClientNorm(String client, double updateNorm, double clipFactor, boolean rejected) {
    }

    /** Clients left out of the round. */
    public long rejected() {
        return clients.stream().filter(ClientNorm::rejected).count();
    }

    /** Clients whose update was scaled down. */
    public long clipped() {
        return clients.stream().filter(c -> !c.rejected() && c.clipFactor() < 1).count();
    }
}
