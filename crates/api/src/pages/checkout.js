// The hosted checkout: token choice, the payment view, status polled from /invoice/receive.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("checkout-data").textContent);
  const $ = (id) => document.getElementById(id);
  const statusNames = { 1: "Choose how to pay", 2: "Awaiting payment", 3: "Processing", 4: "Paid", 5: "Expired", 6: "Invalid" };

  async function post(path, body) {
    const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(json.message || ("HTTP " + res.status));
    return json;
  }

  function showError(e) {
    const el = $("error");
    if (el) el.textContent = e.message;
  }

  // Token choice on a pay link: create the invoice, choose the token, open the invoice page.
  document.querySelectorAll("[data-link-token]").forEach((btn) => {
    btn.addEventListener("click", async () => {
      try {
        const amountInput = $("amount");
        const amount = amountInput ? amountInput.value.trim() : data.amount;
        const created = await post("/invoice/create", { amount: amount, coin_id: data.coin_id, id: data.link_id, product_id: 2 });
        await post("/invoice/pay", { idInvoice: created.invoice_id, token_id: Number(btn.dataset.linkToken) });
        location.href = "/pay/invoice/" + created.invoice_id + location.search;
      } catch (e) { showError(e); }
    });
  });

  // Token choice on an invoice in status 1.
  document.querySelectorAll("[data-invoice-token]").forEach((btn) => {
    btn.addEventListener("click", async () => {
      try {
        await post("/invoice/pay", { idInvoice: data.invoice_id, token_id: Number(btn.dataset.invoiceToken) });
        location.reload();
      } catch (e) { showError(e); }
    });
  });

  const copy = $("copy");
  if (copy) copy.addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText($("address").textContent));

  document.querySelectorAll("[data-simulate]").forEach((btn) => {
    btn.addEventListener("click", async () => {
      try {
        const body = { idInvoice: data.invoice_id };
        if (btn.dataset.simulate !== "full") body.amount = btn.dataset.simulate;
        await post("/sandbox/invoice/pay", body);
        btn.textContent = "Sent — waiting for the next block…";
      } catch (e) { showError(e); }
    });
  });

  if (!data.invoice_id) return;
  let redirected = false;

  function tick() {
    const left = Math.max(0, Math.floor((Date.parse(data.expires_at) - Date.now()) / 1000));
    const el = $("countdown");
    if (el) el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
  }

  function render(s) {
    const el = $("status");
    el.textContent = statusNames[s.status] || "";
    el.className = "status" + (s.status === 4 ? " paid" : s.status >= 5 ? " bad" : s.exception === "paid_partial" ? " warn" : "");
    el.dataset.status = s.status;
    if ($("confirmations")) $("confirmations").textContent = s.confirmations + " / " + (s.confirmations_required || 1);
    if ($("paid")) $("paid").textContent = s.amount_paid + " " + (s.code || "");
    // Nothing is left to pay or simulate once the invoice is settled.
    if (s.status >= 4) document.querySelectorAll(".sandbox").forEach((el) => { el.hidden = true; });
    if ($("partial")) $("partial").textContent = s.exception === "paid_partial" ? "Partly paid: " + s.amount_remaining + " " + (s.code || "") + " remaining" : "";
    if (window.parent !== window) window.parent.postMessage({ type: "invoice.status", invoice_id: s.invoice_id, status: s.status }, "*");
    // Settled: back to the shop after 5 s with the outcome, to success_url when paid and to
    // fail_url when expired or invalid (§2.9); the link lets the payer go at once.
    const back = s.status === 4 ? s.success_url : s.status >= 5 ? s.fail_url : null;
    if (back && !redirected) {
      redirected = true;
      const url = back + (back.indexOf("?") >= 0 ? "&" : "?") + "invoice_id=" + s.invoice_id + "&status=" + s.status;
      if (s.status >= 5 && $("fail")) {
        $("fail").querySelector("a").href = url;
        $("fail").hidden = false;
      }
      setTimeout(() => { location.href = url; }, 5000);
    }
  }

  async function poll() {
    try { render(await post("/invoice/receive", { idInvoice: data.invoice_id })); } catch (e) { showError(e); }
  }

  tick();
  setInterval(tick, 1000);
  poll();
  setInterval(poll, 3000);
})();
