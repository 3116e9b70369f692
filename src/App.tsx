/** The playground page: header, banners, the run's controls and settings on the left, the round views and the draw-a-digit demo on the right. */
import { Header } from './views/Header.tsx';
import { LoadingState, MessageBanner, UrlNotice } from './views/Messages.tsx';
import { RunControls } from './views/RunControls.tsx';
import { ScheduleEditor } from './views/ScheduleEditor.tsx';
import { ControlsPanel, ModelInfo } from './views/ControlsPanel.tsx';
import { FrozenTable, PackedSize, RoundScrubber, RunSummary } from './views/RoundViews.tsx';
import { AccuracyChart, LossChart } from './views/AccuracyCharts.tsx';
import { WeightHistograms } from './views/WeightHistograms.tsx';
import { PartitionMasks } from './views/PartitionMasks.tsx';
import { DigitDemo } from './views/DigitDemo.tsx';
import { SweepPanel } from './views/SweepPanel.tsx';
import { ModelPicker } from './views/ModelPicker.tsx';
import { ExportPanel } from './views/ExportPanel.tsx';
import { RunsPanel, SavedRunsNotice } from './views/RunsPanel.tsx';
import { CompareView } from './views/CompareView.tsx';
import { SensitivityPanel } from './views/SensitivityPanel.tsx';
import { ConfusionMatrixCard } from './views/ConfusionMatrix.tsx';
import { usePlayground } from './store/store.ts';
import { TeachView } from './views/TeachView.tsx';
import type { PanelName } from './store/types.ts';

/** Root component; the store and the InqClient are set up by main.tsx. */
export function App() {
  // A teacher's link can hide panels (`hide=sweeps,export`, src/store/url.ts).
  const hide = usePlayground((s) => s.config.hide);
  const view = usePlayground((s) => s.config.view);
  const shown = (p: PanelName): boolean => !hide.includes(p);
  const banners = (
    <div className="banners">
      <MessageBanner />
      <UrlNotice />
      <SavedRunsNotice />
      <LoadingState />
    </div>
  );
  if (view === 'teach') {
    return (
      <div className="app app-teach">
        {banners}
        <TeachView />
      </div>
    );
  }
  return (
    <div className="app">
      <Header />
      {banners}
      <div className="layout">
        <aside className="sidebar" aria-label="Run and settings">
          <RunControls />
          <ScheduleEditor />
          <ControlsPanel />
          {shown('data') && <ModelInfo />}
          {shown('model') && <ModelPicker />}
          {shown('export') && <ExportPanel />}
        </aside>
        <main className="views">
          <RunSummary />
          <RoundScrubber />
          <div className="view-grid">
            <AccuracyChart />
            {shown('loss') && <LossChart />}
            {shown('frozen') && <FrozenTable />}
            {shown('size') && <PackedSize />}
          </div>
          {/* The two views that are INQ itself come first, right under the accuracy. */}
          {shown('histograms') && <WeightHistograms />}
          {shown('masks') && <PartitionMasks />}
          {shown('errors') && <ConfusionMatrixCard />}
          {shown('runs') && <RunsPanel />}
          {shown('compare') && <CompareView />}
          {shown('sensitivity') && <SensitivityPanel />}
          {shown('sweeps') && <SweepPanel />}
          {shown('digit') && <DigitDemo />}
        </main>
      </div>
      <footer className="credit">
        INQ: Zhou, Yao, Guo, Xu and Chen, “Incremental Network Quantization”, ICLR 2017. MNIST by Yann LeCun, Corinna Cortes and Christopher J.C. Burges.
        Everything runs in this tab; training happens in a worker.
      </footer>
    </div>
  );
}
