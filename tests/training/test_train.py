import pytest
import torch

from gcn_tickets.data.datasets import load_dataset
from gcn_tickets.training.fit import fit, seed_everything, summarize
from gcn_tickets.training.trainers import make_trainer


def test_summarize_unbiased_std():
    s = summarize([0.80, 0.82, 0.84])
    assert s["mean"] == pytest.approx(0.82) and s["std"] == pytest.approx(0.02) and s["n"] == 3
    assert summarize([0.5])["std"] == 0.0


@pytest.mark.slow
def test_dense_gcn_on_cora_kipf_settings(data_root):
    trainer = make_trainer(load_dataset("Cora", data_root))
    seed_everything(0)
    model = trainer.make_model(hidden=16, num_layers=2, dropout=0.5)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    res = fit(model, trainer, epochs=200, optimizers=[opt])
    assert res.test >= 0.79  # Kipf & Welling: 81.5
    best = max(res.history, key=lambda h: h["valid"])
    assert res.test == best["test"] and res.best_epoch == best["epoch"]  # test at best valid
    # every evaluated epoch carries the wall-clock since fit began (anytime curves)
    times = [h["seconds"] for h in res.history]
    assert len(times) == 200 and times == sorted(times) and 0 < times[-1] <= res.seconds


def test_same_seed_same_result(karate_task):
    trainer = make_trainer(karate_task)
    out = []
    for _ in range(2):
        seed_everything(3)
        model = trainer.make_model(hidden=8, num_layers=2, dropout=0.5)
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        out.append([h["valid"] for h in fit(model, trainer, epochs=10, optimizers=[opt]).history])
    assert out[0] == out[1]


@pytest.mark.parametrize("epochs", [0, -3, 2.0, True])
def test_fit_rejects_a_bad_epoch_budget(karate_task, epochs):
    trainer = make_trainer(karate_task)
    model = trainer.make_model(hidden=8, num_layers=2, dropout=0.5)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    msg = rf"`epochs` must be an integer >= 1, got {epochs!r}; pass the number of training epochs"
    with pytest.raises(ValueError, match=msg):
        fit(model, trainer, epochs=epochs, optimizers=[opt])


def test_fit_rejects_eval_every_zero(karate_task):
    trainer = make_trainer(karate_task)
    model = trainer.make_model(hidden=8, num_layers=2, dropout=0.5)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    with pytest.raises(ValueError, match=r"`eval_every` must be an integer >= 1, got 0; use eval_every=1"):
        fit(model, trainer, epochs=3, optimizers=[opt], eval_every=0)


def test_eval_every_evaluates_every_kth_and_the_last_epoch(karate_task):
    trainer = make_trainer(karate_task)
    seed_everything(0)
    model = trainer.make_model(hidden=8, num_layers=2, dropout=0.5)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    res = fit(model, trainer, epochs=7, optimizers=[opt], eval_every=3)
    assert [h["epoch"] for h in res.history] == [2, 5, 6]
    assert res.final is res.history[-1] and res.extras == {}


def test_should_stop_ends_fit_after_that_epoch_and_evaluates_it(karate_task):
    trainer = make_trainer(karate_task)
    runs = []
    for stop_at in (5, None):
        seed_everything(0)
        model = trainer.make_model(hidden=8, num_layers=2, dropout=0.5)
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        seen: list[int] = []
        asked: list[int] = []

        def should_stop(epoch: int, at: int | None = stop_at, asked: list[int] = asked) -> bool:
            asked.append(epoch)
            return epoch == at

        res = fit(model, trainer, epochs=10, optimizers=[opt], eval_every=4, after_epoch=seen.append,
                  should_stop=should_stop)  # fmt: skip
        runs.append([{k: v for k, v in h.items() if k != "seconds"} for h in res.history])
        last = 5 if stop_at is not None else 9
        assert seen == asked == list(range(last + 1))
        assert [h["epoch"] for h in res.history] == ([3, 5] if stop_at is not None else [3, 7, 9])
    assert runs[0][0] == runs[1][0]  # the same training up to the stop
