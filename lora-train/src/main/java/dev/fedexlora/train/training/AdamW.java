package dev.fedexlora.train.training;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * AdamW (Loshchilov and Hutter; PyTorch's {@code torch.optim.AdamW}) over a fixed list of parameters, updated in
 * place. Moment estimates live in the parameters' manager; call {@link #step} outside gradient recording and
 * inside an {@code NDScope} so the temporaries are freed. The encoder's and the decoder's trainers share it, with
 * {@link #clipStepAndZero} as their one update path.
 */
public final class AdamW {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;

    private final List<NDArray> params;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private final double weightDecay;
    private int t;

    public AdamW(List<NDArray> params, double weightDecay) {
        this.params = List.copyOf(params);
        this.weightDecay = weightDecay;
        for (NDArray p : params) {
            NDArray zm = p.zerosLike();
            NDArray zv = p.zerosLike();
            ai.djl.ndarray.NDScope.unregister(zm, zv);
            m.add(zm);
            v.add(zv);
        }
    }

    /** One update with learning rate {@code lr}, gradients already scaled (clipped) by {@code gradScale}. */
    void step(List<NDArray> grads, double lr, float gradScale) {
        t++;
        double bc1 = 1 - Math.pow(BETA1, t);
        double bc2 = 1 - Math.pow(BETA2, t);
        float stepSize = (float) (lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        for (int i = 0; i < params.size(); i++) {
            NDArray p = params.get(i);
            NDArray g = gradScale == 1f ? grads.get(i) : grads.get(i).mul(gradScale);
            if (weightDecay > 0) {
                p.muli((float) (1 - lr * weightDecay));
            }
            m.get(i).muli(BETA1).addi(g.mul(1 - BETA1));
            v.get(i).muli(BETA2).addi(g.square().muli(1 - BETA2));
            NDArray denom = v.get(i).sqrt().divi(bc2Sqrt).addi(EPS);
            p.subi(m.get(i).div(denom).muli(stepSize));
        }
    }

    /**
     * One update from the gradients the parameters hold: clipped to the global L2 norm {@code maxGradNorm} (0 or
     * less: no clipping), applied with learning rate {@code lr}, then zeroed for the next accumulation.
     */
    public void clipStepAndZero(double lr, double maxGradNorm) {
        List<NDArray> grads = new ArrayList<>(params.size());
        for (NDArray p : params) {
            grads.add(p.getGradient());
        }
        float scale = 1f;
        if (maxGradNorm > 0) {
            NDArray squares = grads.get(0).square().sum();
            for (int i = 1; i < grads.size(); i++) {
                squares = squares.add(grads.get(i).square().sum());
            }
            double norm = Math.sqrt(squares.getFloat());
            if (norm > maxGradNorm) {
                scale = (float) (maxGradNorm / (norm + 1e-6));
            }
        }
        step(grads, lr, scale);
        for (NDArray g : grads) {
            g.subi(g);
        }
    }

    int steps() {
        return t;
    }
}
