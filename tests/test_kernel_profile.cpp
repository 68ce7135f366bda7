// The kernel profile `polar-cli bench --profile` prints: kernel names as
// CUDA traces spell them (taken from LibTorch 2.x and cuBLAS traces), shortened
// to what they compute and put in a category; the summary of a GPU's records
// (time by kernel, and the time at least one kernel or copy ran, overlaps once)
// and of a CPU's (each op's self time), on records made up here so that the
// GPU's arithmetic is checked without one; and, where this LibTorch has the
// Kineto profiler, a real CPU profile of known ops.
#include "model/kernel_profile.h"
#include "util/error.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <QtTest>

using namespace polar;

class TestKernelProfile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void kernelNamesSayWhatTheyCompute_data()
    {
        QTest::addColumn<QString>("full");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("category");
        QTest::newRow("silu") << "void at::native::vectorized_elementwise_kernel<4, at::native::(anonymous namespace)::silu_kernel(at::TensorIteratorBase&)::{lambda()#1}::operator()() const::{lambda()#8}::operator()() const::{lambda(c10::BFloat16)#1}, std::array<char*, 2ul> >(int, at::native::(anonymous namespace)::silu_kernel(at::TensorIteratorBase&)::{lambda()#1}::operator()() const::{lambda()#8}::operator()() const::{lambda(c10::BFloat16)#1}, std::array<char*, 2ul>)"
                              << "vectorized_elementwise_kernel [silu_kernel]" << "element-wise and other";
        QTest::newRow("add") << "void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<c10::BFloat16>, std::array<char*, 3ul> >(int, at::native::CUDAFunctor_add<c10::BFloat16>, std::array<char*, 3ul>)"
                             << "vectorized_elementwise_kernel [CUDAFunctor_add]" << "element-wise and other";
        QTest::newRow("mul") << "void at::native::elementwise_kernel<128, 2, at::native::gpu_kernel_impl_nocast<at::native::BinaryFunctor<c10::BFloat16, c10::BFloat16, c10::BFloat16, at::native::binary_internal::MulFunctor<float> > >(at::TensorIteratorBase&, at::native::BinaryFunctor<c10::BFloat16, c10::BFloat16, c10::BFloat16, at::native::binary_internal::MulFunctor<float> > const&)::{lambda(int)#1}>(int, at::native::gpu_kernel_impl_nocast<at::native::BinaryFunctor<c10::BFloat16, c10::BFloat16, c10::BFloat16, at::native::binary_internal::MulFunctor<float> > >(at::TensorIteratorBase&, at::native::BinaryFunctor<c10::BFloat16, c10::BFloat16, c10::BFloat16, at::native::binary_internal::MulFunctor<float> > const&)::{lambda(int)#1})"
                             << "elementwise_kernel [MulFunctor]" << "element-wise and other";
        QTest::newRow("flash") << "void pytorch_flash::flash_fwd_kernel<Flash_fwd_kernel_traits<128, 128, 64, 4, false, false, cutlass::bfloat16_t, Flash_kernel_traits<128, 128, 64, 4, cutlass::bfloat16_t> >, false, true, false, false, true, true, false, false>(pytorch_flash::Flash_fwd_params)"
                               << "flash_fwd_kernel" << "attention";
        QTest::newRow("cublas") << "nvjet_tst_256x128_64x4_2x1_v_bz_coopB_TNT" << "nvjet_tst_256x128_64x4_2x1_v_bz_coopB_TNT"
                                << "matrix products";
        QTest::newRow("long gemm") << "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x256x64_warpgroupsize2x1x1_execute_segment_k_off_kernel__5x_cublas"
                                   << "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x256x64_warpgroupsize2x1x1_execute_segmen..."
                                   << "matrix products";
        QTest::newRow("cat") << "void at::native::(anonymous namespace)::CatArrayBatchedCopy<at::native::(anonymous namespace)::OpaqueType<2u>, unsigned int, 4, 64, 64>(at::native::(anonymous namespace)::OpaqueType<2u>*, at::native::(anonymous namespace)::CatArrInputTensorMetadata<at::native::(anonymous namespace)::OpaqueType<2u>, unsigned int, 64, 64>, at::native::(anonymous namespace)::TensorSizeStride<unsigned int, 4u>, int, unsigned int)"
                             << "CatArrayBatchedCopy" << "copies";
        QTest::newRow("norm") << "void at::native::(anonymous namespace)::vectorized_layer_norm_kernel<c10::BFloat16, float, true>(int, float, c10::BFloat16 const*, c10::BFloat16 const*, c10::BFloat16 const*, float*, float*, c10::BFloat16*)"
                              << "vectorized_layer_norm_kernel" << "norms";
        QTest::newRow("memcpy") << "Memcpy HtoD (Pageable -> Device)" << "Memcpy HtoD" << "copies";
    }

    void kernelNamesSayWhatTheyCompute()
    {
        QFETCH(QString, full);
        QFETCH(QString, name);
        QFETCH(QString, category);
        const std::string got = shortKernelName(full.toStdString());
        QCOMPARE(QString::fromStdString(got), name);
        QCOMPARE(QString::fromStdString(kernelCategory(got)), category);
    }

    void cpuOpsKeepTheirNamesAndHaveCategories()
    {
        QCOMPARE(QString::fromStdString(kernelCategory("aten::addmm")), QString("matrix products"));
        QCOMPARE(QString::fromStdString(kernelCategory("aten::_scaled_dot_product_flash_attention_for_cpu")), QString("attention"));
        QCOMPARE(QString::fromStdString(kernelCategory("aten::rms_norm")), QString("norms"));
        QCOMPARE(QString::fromStdString(kernelCategory("aten::cat")), QString("copies"));
        QCOMPARE(QString::fromStdString(kernelCategory("aten::silu")), QString("element-wise and other"));
    }

    void gpuSummaryCountsTheTimeAnyKernelRan()
    {
        using K = ProfiledEvent::Kind;
        const uint64_t ms = 1000000;
        const std::string silu = "void at::native::vectorized_elementwise_kernel<4, at::native::silu_kernel(at::TensorIteratorBase&)::{lambda()#1}>(int)";
        const std::vector<ProfiledEvent> events = {
            {"nvjet_tst_256x128_64x4_2x1_v_bz_coopB_TNT", K::GpuWork, 0, 0, 10 * ms},
            {silu, K::GpuWork, 0, 5 * ms, 15 * ms},      // another stream, overlapping the product
            {"nvjet_tst_256x128_64x4_2x1_v_bz_coopB_TNT", K::GpuWork, 0, 30 * ms, 34 * ms},
            {"Memcpy HtoD (Pinned -> Device)", K::GpuWork, 0, 20 * ms, 21 * ms},
            {"aten::mm", K::CpuOp, 1, 0, 90 * ms},       // the host's ops: not the GPU's time
            {"ProfilerStep", K::Other, 0, 0, 100 * ms},
        };
        const KernelProfile p = summarizeProfile(events, true, 100.0);
        QCOMPARE(QString::fromStdString(p.device), QString("cuda"));
        QCOMPARE(p.busyMs, 20.0); // [0, 15) + [20, 21) + [30, 34)
        QCOMPARE(p.kernels.size(), size_t(3));
        QCOMPARE(QString::fromStdString(p.kernels[0].name), QString("nvjet_tst_256x128_64x4_2x1_v_bz_coopB_TNT"));
        QCOMPARE(p.kernels[0].calls, 2LL);
        QCOMPARE(p.kernels[0].totalMs, 14.0);
        QCOMPARE(QString::fromStdString(p.kernels[0].category), QString("matrix products"));
        QCOMPARE(QString::fromStdString(p.kernels[1].name), QString("vectorized_elementwise_kernel [silu_kernel]"));
        QCOMPARE(p.kernels[1].totalMs, 10.0);
        QCOMPARE(QString::fromStdString(p.kernels[2].category), QString("copies"));

        // Nothing ran on the GPU: the profiler could not see it (no CUPTI), which is not "idle".
        try {
            summarizeProfile({events[4], events[5]}, true, 100.0);
            QFAIL("a GPU profile without a kernel is an error");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("CUPTI"), e.what());
        }
    }

    void cpuSummaryTakesEachOpsSelfTime()
    {
        using K = ProfiledEvent::Kind;
        const uint64_t ms = 1000000;
        // Thread 1: linear [0, 10) calls addmm [2, 5), which calls copy_ [3, 4), then addmm [6, 8);
        // thread 2: mul [1, 3). Listed out of order, as threads interleave.
        const std::vector<ProfiledEvent> events = {
            {"aten::addmm", K::CpuOp, 1, 6 * ms, 8 * ms}, {"aten::copy_", K::CpuOp, 1, 3 * ms, 4 * ms},
            {"aten::mul", K::CpuOp, 2, 1 * ms, 3 * ms},   {"aten::linear", K::CpuOp, 1, 0, 10 * ms},
            {"aten::addmm", K::CpuOp, 1, 2 * ms, 5 * ms}, {"kernel", K::GpuWork, 0, 0, 50 * ms},
        };
        const KernelProfile p = summarizeProfile(events, false, 12.0);
        auto time = [&](const char *name) {
            for (const auto &k : p.kernels)
                if (k.name == name)
                    return std::make_pair(k.calls, k.totalMs);
            return std::make_pair(0LL, -1.0);
        };
        QCOMPARE(time("aten::linear"), std::make_pair(1LL, 5.0)); // 10 less the two addmm
        QCOMPARE(time("aten::addmm"), std::make_pair(2LL, 4.0));  // 3 less copy_, and 2
        QCOMPARE(time("aten::copy_"), std::make_pair(1LL, 1.0));
        QCOMPARE(time("aten::mul"), std::make_pair(1LL, 2.0));
        QCOMPARE(p.kernels.size(), size_t(4)); // the GPU's record is not a CPU op
        QCOMPARE(p.busyMs, 12.0);
        QCOMPARE(QString::fromStdString(p.kernels[0].name), QString("aten::linear"));
    }

    void cpuProfileCountsOpsAndTheirSelfTime()
    {
        auto a = torch::randn({256, 256}), b = torch::randn({256, 256});
        auto work = [&] {
            for (int i = 0; i < 3; ++i)
                a = torch::mm(a, b) * 0.05;
            // matmul on 3-d tensors calls other ops inside it: their time is theirs.
            for (int i = 0; i < 2; ++i)
                (void)torch::matmul(a.view({4, 64, 256}), b);
        };
#if TORCH_VERSION_MAJOR >= 2
        QCOMPARE(QString::fromStdString(kernelProfileUnavailable()), QString());
        const KernelProfile p = profileKernels(work, false);
        QCOMPARE(QString::fromStdString(p.device), QString("cpu"));
        auto find = [&](const char *name) -> const KernelTime * {
            for (const auto &k : p.kernels)
                if (k.name == name)
                    return &k;
            return nullptr;
        };
        const KernelTime *mm = find("aten::mm"), *mul = find("aten::mul"), *matmul = find("aten::matmul");
        QVERIFY2(mm && mul && matmul, "aten::mm, aten::mul and aten::matmul are in the profile");
        QCOMPARE(matmul->calls, 2LL);
        QVERIFY(mul->calls >= 3); // mul by a scalar records mul by a tensor inside it
        QVERIFY2(mm->calls >= 3, qPrintable(QString("aten::mm %1 calls").arg(mm->calls))); // matmul may call it too
        QCOMPARE(QString::fromStdString(mm->category), QString("matrix products"));
        // matmul's own time leaves out the products it calls.
        QVERIFY2(matmul->totalMs < mm->totalMs, qPrintable(QString("matmul self %1 ms, mm %2 ms").arg(matmul->totalMs).arg(mm->totalMs)));
        double sum = 0;
        for (size_t i = 0; i < p.kernels.size(); ++i) {
            sum += p.kernels[i].totalMs;
            QVERIFY(p.kernels[i].totalMs >= 0);
            if (i)
                QVERIFY(p.kernels[i - 1].totalMs >= p.kernels[i].totalMs); // most time first
        }
        QVERIFY(std::fabs(sum - p.busyMs) < 1e-6 * std::max(1.0, sum));
        QVERIFY2(p.busyMs <= p.wallMs * 1.001 + 0.01, qPrintable(QString("self time %1 ms within %2 ms").arg(p.busyMs).arg(p.wallMs)));
#else
        QVERIFY(QString::fromStdString(kernelProfileUnavailable()).contains("LibTorch 2"));
        try {
            profileKernels(work, false);
            QFAIL("LibTorch 1.x has no Kineto profile to read");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("LibTorch 2"), e.what());
        }
#endif
    }

    void aProfileThatFailsLeavesTheProfilerOff()
    {
#if TORCH_VERSION_MAJOR >= 2
        QVERIFY_EXCEPTION_THROWN(profileKernels([] { throw Error("stop"); }, false), Error);
        const KernelProfile p = profileKernels([] { (void)torch::ones({4}).sum(); }, false); // would throw were it left on
        QVERIFY(!p.kernels.empty());
#else
        QSKIP("LibTorch 1.x: no Kineto profile (cpuProfileCountsOpsAndTheirSelfTime checks the message)");
#endif
    }
};

QTEST_GUILESS_MAIN(TestKernelProfile)
#include "test_kernel_profile.moc"
