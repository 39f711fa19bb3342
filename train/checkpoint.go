package train

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights"
)

// State is where a training run stands: with the weights and the momentum
// buffers it is all a checkpoint needs to continue the run exactly, since
// every random draw derives from Seed and the epoch, step or sample index
// (SampleRand, StepRand, EpochOrder).
type State struct {
	Seed uint64 `json:"seed"`
	// BatchSize and Samples (the training set's size) must be the same
	// on resume, or Batch would name other samples.
	BatchSize int     `json:"batch_size"`
	Samples   int     `json:"samples"`
	Epoch     int     `json:"epoch"` // the epoch under way, from 0
	Batch     int     `json:"batch"` // batches of Epoch done
	Step      int     `json:"step"`  // SGD steps done in all
	LR        float64 `json:"lr"`    // learning rate of Epoch
	// The running sums of Epoch's training loss and top-1 hits.
	LossSum float64 `json:"loss_sum"`
	Correct int     `json:"correct"`
	Seen    int     `json:"seen"`
	// Plateau is the ReduceLROnPlateau state (nil for other schedules).
	Plateau *PlateauState `json:"plateau,omitempty"`
}

// Checkpoint metadata keys and the name prefix of momentum buffers.
const (
	metaState    = "alexnet.train.state"
	metaArch     = "alexnet.arch"
	metaClasses  = "alexnet.classes"
	momentumName = "momentum."
)

// SaveCheckpoint writes m's parameters, opt's momentum buffers (named
// "momentum.<parameter>") and st (as JSON in the safetensors metadata) to
// path, atomically: a temporary file renamed over path (weights.Save).
func SaveCheckpoint(path string, m *model.AlexNet, opt *SGD, st *State, classes []string) error {
	sd := StateDict(m)
	for _, p := range m.Parameters() {
		if b := opt.MomentumBuffer(p.T); b != nil {
			if err := sd.Add(momentumName+p.Name, b); err != nil {
				return err
			}
		}
	}
	js, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("train: checkpoint state: %w", err)
	}
	cls, _ := json.Marshal(classes)
	sd.Metadata = map[string]string{metaState: string(js), metaArch: m.Config().Arch, metaClasses: string(cls)}
	return weights.Save(path, sd)
}

// LoadCheckpoint restores m's parameters and opt's momentum buffers from a
// checkpoint of SaveCheckpoint and returns its State and classes. m must
// have the checkpoint's shapes.
func LoadCheckpoint(path string, m *model.AlexNet, opt *SGD) (*State, []string, error) {
	sd, err := weights.Load(path, nil)
	if err != nil {
		return nil, nil, err
	}
	js, ok := sd.Metadata[metaState]
	if !ok {
		return nil, nil, fmt.Errorf("train: %s is not a training checkpoint (no %s metadata)", path, metaState)
	}
	st := &State{}
	if err := json.Unmarshal([]byte(js), st); err != nil {
		return nil, nil, fmt.Errorf("train: %s: state: %w", path, err)
	}
	var classes []string
	if c := sd.Metadata[metaClasses]; c != "" {
		if err := json.Unmarshal([]byte(c), &classes); err != nil {
			return nil, nil, fmt.Errorf("train: %s: classes: %w", path, err)
		}
	}
	params := map[string]*tensor.Tensor{}
	mom := map[string]*tensor.Tensor{}
	for name, t := range sd.Tensors {
		if n, ok := strings.CutPrefix(name, momentumName); ok {
			mom[n] = t
		} else {
			params[name] = t
		}
	}
	if err := m.LoadStateDict(params); err != nil {
		return nil, nil, fmt.Errorf("train: %s: %w", path, err)
	}
	for _, p := range m.Parameters() {
		if err := opt.SetMomentumBuffer(p.T, mom[p.Name]); err != nil {
			return nil, nil, fmt.Errorf("train: %s: momentum of %s: %w", path, p.Name, err)
		}
		delete(mom, p.Name)
	}
	for name := range mom {
		return nil, nil, fmt.Errorf("train: %s: momentum buffer of unknown parameter %s", path, name)
	}
	return st, classes, nil
}

// StateDict returns m's parameters and batch-norm buffers as a state dict
// in torchvision's order and names (sharing m's tensors), ready for
// weights.Save: a .pth that torchvision.models.alexnet(num_classes=N)
// .load_state_dict accepts (for tiny and tiny-bn, after the module
// surgery of scripts/trainref).
func StateDict(m *model.AlexNet) *weights.StateDict {
	sd := weights.NewStateDict()
	for _, p := range m.State() {
		sd.Add(p.Name, p.T) // names are unique
	}
	return sd
}

// InitFrom copies the tensors of sd into m's parameters of the same name
// and shape. The final layer (classifier.6) is skipped when its shape
// differs, for a new head; any other missing, unknown or mismatched
// tensor is an error. It returns the names it skipped.
func InitFrom(m *model.AlexNet, sd map[string]*tensor.Tensor) ([]string, error) {
	have := map[string]*tensor.Tensor{}
	for _, p := range m.State() {
		have[p.Name] = p.T
	}
	load := map[string]*tensor.Tensor{}
	var skipped []string
	for name, t := range sd {
		p, ok := have[name]
		if ok && !tensor.SameShape(p.Shape, t.Shape) && strings.HasPrefix(name, "classifier.6.") {
			skipped = append(skipped, name)
			continue
		}
		load[name] = t
	}
	for _, name := range skipped {
		load[name] = have[name] // keep the fresh initialisation
	}
	if err := m.LoadStateDict(load); err != nil {
		return nil, err
	}
	return skipped, nil
}
