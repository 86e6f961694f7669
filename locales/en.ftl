# Warung Bot — English (second language).
# Every key here must also exist in id.ftl (a test checks it).

## General
welcome = Hi! Welcome to { $shop } 👋
error-outage = ⚠️ We are having a technical problem. Please try again in a moment.
text-only = Sorry, I can only read text messages.
flood-slow-down = ⏳ Please slow down: you are sending messages too fast. The last ones were not handled; wait a moment and send again.
not-understood = Sorry, I didn't get that. Pick a number from the menu or type a product code.
unknown-command = Unknown command { $command }. Type /help for the list of commands.
help =
    🛒 { $shop } — how to buy:
    1. Type /menu, then pick a category and a product (reply with the number, tap a button, or type the product code).
    2. Enter the target (game ID, phone number, email…).
    3. Confirm and pay from your balance.
    Commands:
    /menu — main menu
    /saldo — check balance
    /topup <amount> — add balance
    /orders — last 10 orders
    /order <ID> — order details
    /cancel — cancel the current step
    /vps — manage your VPS
    /referral — your invite code
    /lang id|en — change language
lang-usage = Choose a language: /lang id (Indonesian) or /lang en (English).
lang-switched = ✅ Language switched to English.

## Menu
menu-main-title = 🏪 { $shop } — choose a category:
menu-footer = Reply with the number of your choice.
menu-footer-code = Reply with a number, or type a product code.
menu-category = { $category } ({ $count })
menu-group-title = { $category } — choose:
menu-group = { $group }
menu-product-title = { $title } — choose a product:
menu-page = Page { $page }/{ $pages }
menu-product = { $name } — { $price }{ $sandbox ->
    [sandbox] {" "}[SANDBOX]
   *[other] {""}
}
menu-product-unavailable = { $name } — { $price } (unavailable){ $sandbox ->
    [sandbox] {" "}[SANDBOX]
   *[other] {""}
}
menu-item-saldo = 💰 Balance & top-up
menu-item-orders = 📦 My orders
menu-item-help = ❓ Help
menu-item-back = ⬅️ Back
menu-item-prev-page = ◀️ Previous
menu-item-next-page = ▶️ Next
menu-item-cancel = ❌ Cancel
menu-item-confirm = ✅ Continue to payment
menu-item-retarget = ✏️ Change target
menu-expired = ⌛ That menu has expired. Here is the current one:
menu-bad-number = That number is not on the menu. Choose 1–{ $count }.

category-game = 🎮 Game top-ups
category-data = 📶 Data & airtime
category-app = 📺 Premium apps
category-panel = 🖥️ Pterodactyl panels
category-vps = ☁️ VPS
category-plan = ⭐ Premium plans
category-other = 🧩 Other

## Checkout
product-summary = 🛍️ { $name } (code { $code }){ $sandbox ->
    [sandbox] {" "}— SANDBOX, not a real purchase
   *[other] {""}
}
input-prompt-none = This product needs no target.
input-prompt-game_id = Send your game ID (e.g. 12345678).
input-prompt-game_id_zone = Send your ID and Zone ID (e.g. 12345678 (1234)).
input-prompt-phone = Send the target phone number (e.g. 081234567890).
input-prompt-email = Send the target email address.
input-prompt-gmail = Send the Gmail address to activate (e.g. name@gmail.com).
input-prompt-panel_username = Send the panel username you want (letters, digits, _ . -; 3–30 characters, starting with a letter).
input-prompt-months = For how many months? Send 1, 3, 6 or 12.
input-prompt-os = Choose the operating system (OS) for the VPS:
menu-os = { $os }
input-error-game-id = ❗ A game ID is 4–20 digits. Please try again.
input-error-game-id-zone = ❗ Wrong format. Send the ID and then the Zone ID, e.g. 12345678 (1234).
input-error-phone = ❗ Invalid phone number. It must be an Indonesian number 08… or 628…, 10–14 digits.
input-error-email = ❗ Invalid email address.
input-error-gmail = ❗ It must be a Gmail address (…@gmail.com).
input-error-panel-username = ❗ The username must be 3–30 characters: letters, digits, _ . -, starting with a letter.
input-error-months = ❗ Choose 1, 3, 6 or 12 months.
input-error-too-long = ❗ Too long. Send just the data.
input-error-generic = ❗ Invalid data. Please try again.
confirm-title = 🧾 Check your order:
confirm-target = 🎯 Target: { $target }
confirm-months = 🗓️ Period: { $months } month(s) × { $monthly }
confirm-os = 💿 OS: { $os }
confirm-price = 💵 Price: { $price }
payment-title = 💳 Choose how to pay:
pay-method-wallet = Balance
pay-method-wallet-balance = Balance ({ $balance } left)
pay-method-qris = QRIS
pay-method-provider_qris = QRIS (paid to the provider)
checkout-cancelled = Cancelled.
checkout-expired = ⌛ Your unfinished order expired after a long silence. Type /menu to start again.
shop-paused = 🛠️ Buying is paused: { $message }
product-gone = That product is no longer available. Please choose again.
product-out-of-stock = Sorry, { $name } is out of stock.
product-provider-down = Sorry, { $name } is temporarily unavailable. Please try again later.
price-changed = The price of { $name } just changed to { $price }. Please choose again from /menu.
payment-method-unavailable = That payment method is not available yet. Choose another one.

## Balance
wallet-balance = 💰 Your balance: { $balance }
wallet-topup-hint = Top up with /topup <amount>, e.g. /topup 50000.
wallet-topup-hint-sandbox = SANDBOX mode: add test balance with /topup <amount>, e.g. /topup 100000.
wallet-insufficient = Not enough balance: the price is { $price }, your balance is { $balance }.
topup-unavailable = Top-ups are not available in this shop yet. Please contact the admin.
topup-usage-sandbox = Type /topup <amount>, e.g. /topup 100000 (SANDBOX, not real money).
topup-bad-amount = Invalid amount. Example: /topup 50000 (at least { $min }, at most { $max }).
topup-sandbox-done = ✅ SANDBOX: added { $amount } to your balance. Balance is now { $balance }.

## Orders
order-paid = ✅ Order { $order } paid: { $product } — { $price }. Balance left { $balance }.
order-processing = ⏳ Processing; the result will be sent in this chat.
order-pending = ⏳ Order { $order } is being processed by the provider. We'll tell you when it's done.
order-delivered = 🎉 Order { $order } succeeded: { $product }
order-failed = ❌ Order { $order } failed: { $reason }
order-refunded = 💸 { $amount } has been returned to your balance. Balance is now { $balance }.
orders-empty = No orders yet. Type /menu to start shopping.
orders-title = 📦 Your last 10 orders:
orders-line = { $order } · { $product } · { $price } · { $status }
orders-hint = Details: /order <ID>
order-usage = Type /order <ID>, e.g. /order ORD-ABCD2345.
order-not-found = Order { $order } was not found.
order-detail =
    🧾 { $order }
    { $product } — { $price }
    Status: { $status }
    Time: { $date } UTC
delivery-serial = 🔑 SN: { $value }
delivery-email = 📧 Email: { $value }
delivery-password = 🔒 Password: { $value }
delivery-username = 👤 Username: { $value }
delivery-url = 🔗 Link: { $value }
delivery-ip = 🌐 IP: { $value }
delivery-note = 📝 Note: { $value }
delivery-plan = ⭐ Plan: { $value }
delivery-expires = 📅 Valid until: { $value }
delivery-invoice = 🧾 Invoice: { $value }
delivery-secrets-withheld = 🔒 Login details are not stored, for safety. See the earlier delivery message, or contact the admin.

status-awaiting_payment = awaiting payment
status-paid = paid
status-placing = processing
status-pending = processing
status-delivered = delivered
status-failed = failed
status-refunded = refunded
status-expired = expired

## Provider errors (shown to buyers; details only in the admin log)
provider-error-auth = the provider refused the shop's access. The admin has been told.
provider-error-forbidden_ip = the provider refused the shop's access. The admin has been told.
provider-error-insufficient_balance = the provider's stock is empty right now. The admin has been told.
provider-error-out_of_stock = the product is out of stock.
provider-error-invalid_input = the provider rejected the target. Please check the ID/number.
provider-error-not_found = the product or order was not found at the provider.
provider-error-rate_limited = the provider is busy.
provider-error-upstream = the provider is having problems.
provider-error-unavailable = the provider is unavailable.
provider-error-malformed = the provider gave an answer we could not read.
provider-error-timeout = the provider did not answer.
provider-error-failed = the provider rejected the transaction.

## Admin
admin-alert-attention = ⚠️ { $order } needs a look: { $why }

## Bot commands (Telegram command list)
cmd-start = Start shopping
cmd-menu = Main menu
cmd-saldo = Check balance
cmd-topup = Add balance
cmd-orders = Order history
cmd-order = Order details
cmd-cancel = Cancel the current step
cmd-help = Help
cmd-lang = Change language

## Console
console-intro = Console mode: you are the buyer. Type /start to begin, /quit to leave.
console-bye = Goodbye! 👋
console-document-saved = 📄 File { $name } saved at { $path }

## QRIS payments
qris-purpose-order = payment for { $product }
qris-purpose-topup = a balance top-up
qris-purpose-renewal = renewal of VPS { $order }
qris-caption =
    📱 Scan this QRIS for { $purpose }
    💵 Pay exactly: { $amount }
    🧾 ID: { $id }
    ⏰ Valid until { $expires }
qris-exact-amount = ⚠️ The amount includes a unique code of { $code } — pay exactly this amount so it is confirmed automatically.
qris-expired = ⌛ Payment { $id } ({ $amount }) has expired. Do not pay that old QR; place a new order from /menu.
qris-paid-order = ✅ Payment { $id } received: { $product }.
qris-credited-instead = 💰 Payment { $id } went to your balance (now { $balance }) because the order could not be processed.
qris-late-credited = 💰 Payment { $id } of { $amount } arrived after it expired, so it was added to your balance. Balance is now { $balance }.
qris-extra-credited = 💰 Another transfer for payment { $id }, which was already paid, arrived: { $amount } was added to your balance. Balance is now { $balance }.
topup-paid = ✅ Top-up of { $amount } received. Balance is now { $balance }.
order-expired-unpaid = ⌛ Order { $order } was cancelled because it was not paid.
admin-alert-underpaid = ⚠️ Payment { $id } is short: received { $paid }, expected { $expected }. Check it manually.
admin-alert-overpaid = ℹ️ Payment { $id } was overpaid by { $amount }; the extra went to the buyer's balance.
admin-alert-unmatched-payment = ⚠️ Money arrived, { $amount } (ref { $reference }), that matches no payment. Credit it manually if needed.
admin-alert-late-payment = ℹ️ Payment { $id } ({ $amount }) arrived after expiry; added to the buyer's balance.
admin-alert-extra-transfer = ℹ️ A second transfer of { $amount } (ref { $reference }) for payment { $id }, already paid; added to the buyer's balance.
admin-alert-qris-pool = ⚠️ QRIS unique codes for the price { $price } are nearly used up: { $used } of { $size } in use.
admin-alert-bad-callback = ⚠️ A payment callback was rejected: { $reason }.

## WhatsApp
whatsapp-pairing-code = 🔗 WhatsApp pairing code for { $phone }: { $code }
    Open WhatsApp on that phone › Linked devices › Link a device › Link with phone number instead, then enter this code.
whatsapp-qr-caption = 🔗 Scan this QR in WhatsApp › Linked devices › Link a device to connect the bot. The QR changes about every 20 seconds.
whatsapp-login-quiet = ⏸️ The WhatsApp login is still not done. Further codes/QRs are not posted here; see the terminal or the file { $file }, or restart the bot.
whatsapp-connected = ✅ WhatsApp connected (number { $phone }).
whatsapp-logged-out = ⚠️ The bot's WhatsApp was logged out (device unlinked on the phone). The old session was deleted; a new login is starting — watch for the next code/QR.
whatsapp-replaced = ⚠️ Another connection took over the bot's WhatsApp session (is another instance running?). The WhatsApp bot has stopped; check, then restart it.
whatsapp-forbidden = ⛔ WhatsApp refuses the bot's number (403, possibly banned). The WhatsApp bot has stopped; check the number on the phone.
whatsapp-lock-busy = ⏳ Another process holds the WhatsApp connection. This one waits and connects only when the other stops.
whatsapp-lock-lost = ⚠️ Another process took the WhatsApp connection lock. This process disconnected WhatsApp and is waiting.
admin-alert-bad-webhook = ⚠️ A { $provider } webhook was rejected: bad or missing secret. Further rejections of { $provider } are not reported for an hour; check the webhook URL or secret set at the provider.

## My VPS (aluy.net)
cmd-vps = My VPS
vps-none = You have no VPS from this shop yet.
vps-list-title = 🖥️ Your VPS — choose:
vps-list-item = { $name } ({ $order }) · until { $expires }
vps-not-found = That VPS was not found.
vps-expires = ⏳ Paid until { $date } WIB; it does not renew by itself and ends then.
vps-lapsed = ⌛ The VPS of { $order } has passed its paid-until date and can no longer be controlled here.
vps-expiry-reminder = ⏰ Your VPS { $name } ({ $order }) ends on { $date } WIB, in { $days } day(s). Renew it in /vps before then, or it stops.
vps-service-title = 🖥️ { $name } ({ $order }) — choose an action:
vps-action-status = 📊 Status & IP
vps-action-start = ▶️ Start
vps-action-shutdown = ⏏️ Shut down (graceful)
vps-action-restart = 🔄 Restart
vps-action-stop = ⏹️ Force stop
vps-action-reset_password = 🔑 Reset root password
vps-action-console = 🖥️ VNC console
vps-action-reinstall = 💿 Reinstall OS
vps-action-renew = 🗓️ Perpanjang (renew 1 month)
vps-action-done = ✅ Sent: { $action }
vps-status = 📊 State: { $state } · IP: { $ips }
vps-password = 🔑 New root password: { $password }
vps-console = 🖥️ VNC console: { $ip }:{ $port } · password: { $password } · browser: { $wss }
vps-console-warning = ⚠️ Anyone with these details controls your server's screen and keyboard. Do not share them; delete this message when done.
    Save it now — the shop does not store it.
vps-reinstall-title = 💿 Choose the OS to reinstall:
vps-reinstall-confirm = ⚠️ Reinstall { $name } with { $os }? ALL DATA on the server will be lost.
vps-reinstall-yes = 💣 Yes, wipe everything and reinstall
vps-reinstall-started = ✅ Reinstall with { $os } started. Give it a few minutes.
vps-renew-confirm = 🗓️ Renew { $name } for 1 month for { $price }? It will then be paid until { $date } WIB.
vps-renew-yes = 💰 Pay from my balance
vps-renew-qris = 📱 Pay with QRIS
vps-renewed = ✅ Renewed for { $price }: paid until { $date } WIB. Balance: { $balance }
renewal-qris-kept = ℹ️ Payment of { $amount } received, but VPS { $order } was already renewed or has ended, so the money went to your balance. Balance: { $balance }
vps-error = ❗ Failed: { $reason }
qris-busy = Sorry, QRIS is busy right now. Try again in a moment, or pay from your balance.
qris-busy-topup = Sorry, QRIS is full for this amount right now. Try again in a moment or with another amount.
qris-too-many-open = You already have { $max } unpaid QRIS payments. Pay one or let it expire first.

## Admin
admin-refused = ⛔ Admin commands are for the shop's admins, in the admin group.
admin-forwarded-ignored = ℹ️ Forwarded commands are not run. Type the command yourself if you mean it.
admin-private-refused = ⛔ Admin commands only work in the admin group. Please send it there.
admin-usage-invalid = ❗ Usage: { $usage }
admin-error = ⚠️ The command failed. The details are in the log.
admin-help-title = 🛠️ Admin commands:
admin-usage-help = /help — this list
admin-usage-balance = /balance — reseller balance at each provider
admin-usage-deposit = /deposit alxzen <amount> — a QRIS to top up a provider balance
admin-usage-orders = /orders [status|attention] [n] — latest orders (attention: those waiting for a look)
admin-usage-order = /order <ORDER_ID> — one order in full
admin-usage-paid = /paid <ORDER_ID|TOP_ID> — confirm a manual QRIS payment
admin-usage-refund = /refund <ORDER_ID> [reason] — refund to the buyer's balance (once)
admin-usage-retry = /retry <ORDER_ID> — run a failed or stuck order again
admin-usage-resolve = /resolve <ORDER_ID> delivered <details> | ref <provider-reference> | failed [reason] — finish an order waiting for a look
admin-usage-markup = /markup — show; /markup global|<provider>|<code> <10% | 2000 | off> — set or remove a markup
admin-usage-product = /product off|on <code> — hide or show a product
admin-usage-maintenance = /maintenance on [message] | off — pause or resume buying
admin-usage-user = /user <id> — a buyer's balance, ledger and orders (telegram:123, whatsapp:628…)
admin-usage-credit = /credit <user> <amount> <reason> — add to a balance (a negative amount takes away)
admin-usage-broadcast = /broadcast <text> — message every buyer
admin-usage-stats = /stats [today|7d|30d] — sales and profit
admin-usage-reconcile = /reconcile [provider] [today|7d] — compare orders with the providers' records
admin-usage-audit = /audit [n] — latest admin actions
admin-orders-title = 📦 Latest { $count } orders:
admin-orders-empty = No orders found.
admin-orders-line = { $order } · { $date } · { $product } · { $price } · { $status } · { $buyer }
admin-order-not-found = Order { $order } was not found.
admin-order-head = 🧾 { $order } — { $status } (created { $date } WIB)
admin-order-buyer = 👤 Buyer: { $buyer } (chat { $chat }, language { $locale })
admin-order-product = 🛍️ { $product } — code { $code }, { $provider } sku { $sku }
admin-order-money = 💵 Price { $price } · cost { $cost } · profit { $profit }
admin-order-payment = 💳 Payment: { $method }, { $amount }, paid { $paid }, ref { $reference }
admin-order-refs = 🔗 Our ref { $ref } · provider ref { $providerRef }
admin-order-failure = ❌ Failure: { $reason }
admin-order-attention = ⚠️ Needs a look: { $why }
attention-failing = fulfilment kept failing: { $detail }
attention-qris-unclear = the provider QRIS order got no clear answer ({ $detail })
attention-no-lookup = outcome unknown and the provider cannot look orders up by our reference; check it at the provider
attention-unknown-outcome = outcome unknown after { $detail }; not retried, to avoid buying twice
attention-still-pending = still pending after the follow-up window; check it at the provider
attention-purchase-cap = { $detail } purchases sent without a clear answer; no more will be sent. Check it at the provider, then /resolve
attention-provision-issue = the provider holds the charge but could not deliver, and its one repair did not help ({ $detail }); not refunded automatically. Fix it at the provider, then /resolve
attention-other = { $text }
admin-order-secrets-hidden = 🔒 Login details are not shown in the group.
admin-order-history-title = 🕒 History (WIB):
admin-order-history-line = • { $date } { $status }
admin-order-history-note = • { $date } { $status } — { $note }
admin-paid-confirmed = ✅ Payment { $id } of { $amount } confirmed for { $buyer }.
admin-paid-overpaid = ℹ️ Overpaid by { $amount }; the extra is in the buyer's balance.
admin-paid-already = ℹ️ Payment { $id } was already confirmed; nothing changed.
admin-paid-finished = ✅ Payment { $id } was already confirmed but its settlement had been cut short; it is finished now (balance and order).
admin-paid-late = 💰 Payment { $id } had expired; { $amount } was added to the buyer's balance instead.
admin-paid-underpaid = ⚠️ Payment { $id } is short; check it manually.
admin-paid-not-found = No QRIS payment { $id } was found.
admin-refund-done = 💸 { $order } refunded: { $amount } to { $buyer } (balance now { $balance }).
admin-refund-already = ℹ️ { $order } was already refunded; nothing changed.
admin-refund-not-allowed = ❗ { $order } cannot be refunded while it is { $status }.
admin-refund-buyer = ↩️ Order { $order } was cancelled by the shop.
admin-retry-queued = 🔁 { $order } is being processed again.
admin-retry-refunded = ℹ️ { $order } was already refunded; it will not be ordered again.
admin-retry-not-allowed = ❗ { $order } cannot be retried while it is { $status }.
admin-resolve-delivered = ✅ { $order } delivered to the buyer with the given details.
admin-resolve-ref = 🔎 { $order }: reference { $ref } attached; following it at the provider again.
admin-resolve-not-allowed = ❗ { $order } cannot be resolved while it is { $status }.
admin-markup-title = 🏷️ Markup (the most specific rule wins: product, then provider, then global):
admin-markup-line = • { $target }: { $value }
admin-markup-target-global = global
admin-markup-target-provider = provider { $provider }
admin-markup-target-product = product { $code }
admin-markup-set = ✅ Markup for { $target } is now { $value }. Prices changed at once.
admin-markup-removed = ✅ The markup rule for { $target } was removed; the next rule applies.
admin-markup-example = { $code }: cost { $cost } → price { $price }
admin-provider-unknown = ❗ Provider { $provider } is not enabled.
admin-product-unknown = ❗ There is no product with code { $code }.
admin-product-hidden = 🙈 { $code } is hidden from buyers.
admin-product-shown = 👁️ { $code } is shown to buyers again.
admin-product-already-hidden = ℹ️ { $code } is already hidden.
admin-product-not-hidden = ℹ️ { $code } is not hidden.
admin-maintenance-default = The shop is under maintenance. Please try again later.
admin-maintenance-on = 🛠️ Buying is paused. Buyers see: { $message }
admin-maintenance-off = ✅ Buying is open again.
admin-maintenance-status-on = 🛠️ Buying is paused since { $date } WIB by { $by }: { $message }
admin-maintenance-status-off = ✅ Buying is open.
admin-user-not-found = ❗ No buyer { $user } was found.
admin-user-ambiguous = ❗ { $users } all match; add the channel, e.g. telegram:123.
admin-user-head = 👤 { $buyer } — balance { $balance }
admin-user-ledger-title = Ledger (newest first):
admin-user-ledger-empty = No ledger entries.
admin-user-ledger-line = • { $date } { $amount } { $reason } ({ $detail })
admin-user-orders-title = Latest orders:
admin-user-orders-empty = No orders.
admin-ledger-topup = top-up
admin-ledger-purchase = purchase
admin-ledger-refund = refund
admin-ledger-manual = manual
admin-ledger-late_payment = late payment
admin-ledger-overpayment = overpayment
admin-ledger-sandbox_topup = sandbox top-up
admin-credit-done = ✅ { $amount } for { $buyer }; balance now { $balance }.
admin-credit-duplicate = ℹ️ This credit was already applied; { $buyer } has { $balance }.
admin-credit-insufficient = ❗ Cannot take { $amount } from { $buyer }: the balance is only { $balance }.
admin-buyer-credited = 💰 The shop added { $amount } to your balance. Balance is now { $balance }.
admin-buyer-debited = 💰 The shop deducted { $amount } from your balance. Balance is now { $balance }.
admin-balance-title = 💼 Provider balances:
admin-balance-line-idr = • { $provider }: { $idr }
admin-balance-line = • { $provider }: { $amount } (≈ { $idr })
admin-balance-low = ⚠️ below { $threshold } — top up soon
admin-balance-error = • { $provider }: could not be read ({ $code })
admin-deposit-caption = 🏦 { $provider } deposit { $id }: scan to pay { $amount }.
admin-deposit-unsupported = ❗ { $provider } has no QRIS deposit here (or is not enabled).
admin-deposit-failed = ❗ { $provider } refused the deposit ({ $code }).
admin-broadcast-message = 📢 { $text }
admin-broadcast-started = 📢 Broadcast started to { $total } buyers ({ $skipped } skipped). Progress follows here.
admin-broadcast-busy = ⏳ A broadcast is already running; wait for its final count.
admin-broadcast-empty = ℹ️ There is nobody to send to ({ $skipped } skipped).
admin-broadcast-duplicate = ℹ️ This message was already handled once (the same message arrived again); the broadcast is not repeated.
admin-broadcast-progress = 📢 Broadcast: { $done }/{ $total } done…
admin-broadcast-done = 📢 Broadcast finished: { $sent } sent, { $blocked } blocked the bot, { $failed } failed, { $skipped } skipped.
admin-stats-period-today = today
admin-stats-period-7d = the last 7 days
admin-stats-period-30d = the last 30 days
admin-stats-title = 📊 Stats for { $period }:
admin-stats-orders = Orders: { $total } (delivered { $delivered }, failed/refunded { $failed }, in progress { $open }, unpaid/expired { $unpaid })
admin-stats-money = Revenue { $revenue } · cost { $cost } · profit { $profit }
admin-stats-providers-title = Per provider:
admin-stats-provider = • { $provider }: { $count } sold, revenue { $revenue }, cost { $cost }, profit { $profit }
admin-stats-top-title = Top products:
admin-stats-top = • { $product } ({ $code }): { $count }× — { $revenue }
admin-reconcile-title = 🔎 Reconciliation for { $period }:
admin-reconcile-provider = { $provider }: { $checked } provider records read, { $orders } orders here, { $count } mismatches
admin-reconcile-provider-status = { $provider }: { $checked } of { $orders } orders checked one by one, { $count } mismatches
admin-reconcile-incomplete = ⚠️ The { $provider } history is too long: only part of it was read.
admin-reconcile-unchecked = ⚠️ { $count } more orders were not checked (at most { $max } per command).
admin-reconcile-error = { $provider }: could not be checked ({ $code })
admin-reconcile-charged-no-order = • { $provider } { $ref }: charged { $amount } ({ $status }) with no order here
admin-reconcile-delivered-but-failed-there = • { $order } ({ $ref }): delivered here, { $status } at { $provider }
admin-reconcile-failed-here-but-charged-there = • { $order } ({ $ref }): { $ours } here, but charged { $amount } at { $provider }
admin-reconcile-cost-differs = • { $order } ({ $ref }): recorded cost { $ours }, charged { $theirs } at { $provider }
admin-reconcile-delivered-not-found-there = • { $order } ({ $ref }): delivered here, not in the { $provider } history
admin-reconcile-more = … and { $count } more mismatches
admin-reconcile-none = ✅ No mismatches.
admin-reconcile-not-enabled = Provider { $provider } is not enabled.
admin-reconcile-their-success = successful
admin-reconcile-their-pending = in progress
admin-reconcile-their-unpaid = unpaid
admin-reconcile-their-failed = failed
admin-audit-title = 🗒️ Last { $count } admin actions:
admin-audit-empty = No admin actions yet.
admin-audit-line = • { $date } { $who } /{ $command } { $args } → { $result }
admin-notify-burst = 🔔 { $count } updates:
admin-notify-paid = 🆕 { $order } paid: { $product } — { $price } ({ $method }, { $buyer })
admin-notify-delivered = ✅ { $order } delivered: { $product } ({ $provider })
admin-notify-failed = ❌ { $order } failed at { $provider }: { $product } — { $reason } ({ $detail })
admin-notify-refunded = 💸 { $order } refunded { $amount } to { $buyer }
admin-notify-balance-low = ⚠️ The { $provider } balance is { $balance }, below { $threshold }. Top up with /deposit or at the provider.
admin-notify-provider-down = 🔴 Provider { $provider } is down; its products show as unavailable.
admin-notify-provider-up = 🟢 Provider { $provider } is back.

## QRIS gateway (Midtrans, Tripay, Pakasir)
pay-method-qris-gateway = QRIS via { $gateway }
qris-gateway-fee = ℹ️ Includes a service fee of { $fee }.
qris-unavailable = Sorry, QRIS is not available right now. Pay from your balance, or try again in a little while.
qris-unavailable-topup = Sorry, QRIS top-ups are not available right now. Try again in a little while.
admin-alert-qris-failover = ⚠️ QRIS { $from } failed ({ $reason }); payment { $id } was served by { $to }. ({ $count }× since the last notice)
admin-alert-qris-unavailable = 🔴 QRIS { $gateway } failed ({ $reason }) and no other gateway could; payment { $id } was not made. ({ $count }× since the last notice)
admin-alert-gateway-rejected = ⚠️ A payment report from { $gateway } was refused: { $reason } (payment { $id }); no money moved. ({ $count }× in the last minute)
admin-alert-gateway-unconfigured = ⚠️ Payment { $id } was served by QRIS gateway { $gateway }, which is no longer in QRIS_GATEWAYS (or lacks its credentials): its notifications are refused and its status cannot be checked. Put it back until its open payments have ended, or check them at { $gateway } by hand. (told once a day)
admin-alert-gateway-stranded = ⚠️ { $gateway } says a charge we do not hold was paid: { $id }, transaction { $transaction }, { $amount }. The money is at { $gateway }, not in a wallet; settle it with the buyer by hand.
admin-usage-payment = /payment <ORDER_ID|TOP_ID> — a QRIS payment's record and its live status at the gateway
admin-payment-not-found = QRIS payment { $id } not found.
admin-payment-head = 💳 { $id } ({ $kind }): { $status } — { $amount }, buyer { $buyer }
admin-payment-static = The shop's static QRIS (unique code { $code })
admin-payment-gateway = Gateway { $gateway }, transaction { $transaction }: charged { $total }, fee { $fee } ({ $payer }), credited { $credit }
admin-payment-fee-payer-buyer = paid by the buyer
admin-payment-fee-payer-shop = paid by the shop
admin-payment-times = Created { $created }, valid until { $expires }, paid { $paid }
admin-payment-confirmed = Confirmed by { $by }, ref { $reference }
admin-payment-live = Live status at { $gateway }: { $state }, { $amount } { $currency }, for { $id }
admin-payment-live-error = The status at { $gateway } cannot be read now ({ $detail }).
admin-payment-live-off = Gateway { $gateway } is no longer in QRIS_GATEWAYS; its status cannot be checked.
admin-payment-status-open = awaiting payment
admin-payment-status-paid = paid
admin-payment-status-expired = expired
admin-payment-kind-order = order
admin-payment-kind-topup = top-up
admin-stats-gateway-fees = Gateway fees { $fees } · profit after fees { $profit }
## Pricing: vouchers, price tiers, provider promo codes (issue 17)
menu-item-voucher = 🎟️ Use a voucher
menu-item-voucher-change = 🎟️ Change voucher
menu-item-voucher-remove = ✖️ Remove voucher
voucher-prompt = 🎟️ Type your voucher code:
voucher-applied = 🎟️ Voucher { $code } applied.
voucher-removed = Voucher removed.
voucher-refused-unknown = ❗ Voucher { $code } is not known.
voucher-refused-off = ❗ Voucher { $code } is no longer valid.
voucher-refused-expired = ❗ Voucher { $code } has expired.
voucher-refused-used_up = ❗ Voucher { $code } is used up.
voucher-refused-per_buyer = ❗ You have used voucher { $code } as often as it allows.
voucher-refused-min = ❗ Voucher { $code } needs an order of at least { $min }.
voucher-refused-product = ❗ Voucher { $code } is not for this product.
confirm-price-list = 🏷️ Normal price: { $price }
confirm-tier-discount = 👑 { $tier } price: -{ $discount }
confirm-voucher-discount = 🎟️ Voucher { $code }: -{ $discount }
wallet-tier = 👑 Your price tier: { $tier }
admin-usage-voucher = /voucher add <CODE> <10%|5000> [min=] [max=] [uses=] [per_buyer=] [until=YYYY-MM-DD] [only=code,…|category] [allow_loss] · /voucher list · /voucher off <CODE> · /voucher <CODE>
admin-usage-tier = /tier <id> [tier] — show or change a buyer's price tier
admin-usage-promo = /promo — show; /promo <PRODUCT_CODE> <promo-code>|off — attach or remove a provider promo code
admin-voucher-empty = No vouchers yet.
admin-voucher-list-title = 🎟️ Vouchers:
admin-voucher-line = • { $code } ({ $value }) — used { $used }, held { $held }, limit { $limit } · { $state }
admin-voucher-state-on = on
admin-voucher-state-off = off
admin-voucher-state-expired = expired
admin-voucher-unknown = ❗ No voucher { $code }.
admin-voucher-off = 🚫 Voucher { $code } switched off; orders already using it keep it.
admin-voucher-added = ✅ Voucher { $code } created.
admin-voucher-changed = ✅ Voucher { $code } terms changed; its uses so far still count.
admin-voucher-max-flat = ❗ max= is only for percent vouchers.
admin-voucher-terms-value = Discount: { $value }
admin-voucher-terms-min = Minimum order: { $min }
admin-voucher-terms-max = Largest discount: { $max }
admin-voucher-terms-uses = Uses: { $uses }
admin-voucher-terms-per-buyer = Per buyer: { $uses }
admin-voucher-terms-until = Valid until: { $until }
admin-voucher-terms-only = Only for: { $only }
admin-voucher-terms-allow-loss = May go below cost
admin-tier-off = ℹ️ Price tiers are not set up (PRICE_TIERS is empty).
admin-tier-unknown = ❗ No tier { $tier }. Tiers: { $tiers }.
admin-tier-set = 👑 { $buyer } is now { $tier } (delivered spend { $spend }).
admin-tier-shown = 👑 { $buyer }: { $tier } (delivered spend { $spend }).
admin-promo-empty = No provider promo codes yet.
admin-promo-title = 🏷️ Provider promo codes:
admin-promo-line = • { $product }: { $promo }
admin-promo-removed = Promo code of { $product } removed.
admin-promo-check-failed = ❗ The promo code could not be checked at { $provider }: { $reason }
admin-promo-refused = ❗ { $provider } refused promo code { $promo }: { $reason }
admin-promo-set-checked = ✅ { $product } uses promo code { $promo } ({ $provider } accepts it, { $percent }% off).
admin-promo-set = ✅ { $product } uses promo code { $promo } (sent to { $provider } with each purchase).
admin-stats-discount-voucher = Voucher discounts: { $amount } ({ $count } orders)
admin-stats-discount-tier = Tier discounts: { $amount } ({ $count } orders)
## Referral (issue 17)
cmd-referral = Invite friends
referral-title = 🤝 Invite friends, earn balance
referral-code = Your referral code: { $code }
referral-link = Share this link: { $link }
referral-how-text = A new friend just sends as their first message: REF { $code }
referral-terms = You earn { $percent }% of every delivered order of a friend, for { $days } days after they join, straight to your balance. New buyers only (no earlier order); the bonus is taken back if their order is refunded.
referral-count = Friends who joined: { $count }
referral-owed = Bonus taken back but not covered by your balance: { $amount } (taken from your next bonuses).
referral-off = The referral programme is not active.
referral-linked = ✅ You joined with referral code { $code }. Happy shopping!
referral-refused-taken = ℹ️ You are already linked to another referral code; a buyer can have only one referrer.
referral-refused-self = ℹ️ Code { $code } is your own (or that of a friend you invited); it cannot be used.
referral-refused-existing = ℹ️ Referral codes are for new buyers only; you have ordered before.
referral-refused-unknown = ❗ Referral code { $code } is unknown. Please check it.
admin-ledger-referral = referral bonus
admin-ledger-referral_reversal = referral bonus taken back
admin-stats-referral = Referral bonuses: { $amount } ({ $count } orders)
admin-refund-delivered-needs-reason = ❗ { $order } was delivered: refund it only with a reason, e.g. /refund { $order } account does not work

## Backups and exports (/backup, the daily backup, /export)
admin-usage-backup = /backup — an encrypted backup of orders, wallets, payments, settings and stock, sent here
admin-usage-export = /export orders|ledger [7d|30d|YYYY-MM] — a CSV file for Excel or Google Sheets (default 30d)
admin-backup-off = 🔒 Backups are off: set BACKUP_KEY (a passphrase of at least 16 characters, kept somewhere safe) and restart.
admin-backup-in-memory = Backups need a real Redis (REDIS_URL); the in-memory demo store has nothing to keep.
admin-backup-failed = ⚠️ The backup failed; the details are in the bot's log.
admin-backup-too-large = ⚠️ The shop's data is too large for one backup (at most { $keys } keys and { $mb } MB): rely on Redis replication and its RDB/AOF copies.
admin-backup-made = 💾 Backup { $file }: { $keys } keys, { $kb } KB, as of { $date } WIB. Encrypted with BACKUP_KEY.
admin-backup-saved = Saved on the server as { $path } ({ $pruned } older removed).
admin-backup-not-saved = Not kept on the server (no BACKUP_DIR): keep this file.
admin-backup-restore-hint = To restore: npm run restore -- <file> (with the same BACKUP_KEY, into an empty Redis).
admin-backup-too-big-to-send = The file is over { $mb } MB, more than a bot may send: take it from BACKUP_DIR on the server.
admin-backup-daily = 🌙 Daily backup
admin-backup-daily-failed = ⚠️ The daily backup failed; the details are in the bot's log.
admin-export-orders = 📄 Orders { $period }: { $count } orders, total { $total } (delivered { $delivered }).
admin-export-ledger = 📄 Ledger { $period }: { $count } entries, in { $credits }, out { $debits }.
admin-export-truncated = ⚠️ Only the newest { $max } rows: export a shorter period.
## Pricing, continued (issue 17): provider QRIS without discounts, price lines in /order
payment-provider-price-only = ℹ️ QRIS paid to the provider is not offered for a discounted or voucher price: the provider charges its normal price.
voucher-refused-method = ❗ Voucher { $code } cannot be used: this product can only be paid by the provider's QRIS, which charges the normal price.
admin-order-pricing = 🏷️ Normal price { $list } · tier { $tier } discount: -{ $discount }
admin-order-voucher = 🎟️ Voucher { $code }: -{ $discount }
admin-order-promo = 🏷️ Provider promo code: { $promo }
## The shop's own stock (/stock, Notify me, /garansi, /replace)
category-shop = 🏪 Shop products
cmd-garansi = Warranty claim for a shop product
menu-product-stock = { $name } — { $price } ({ $stock } in stock)
input-prompt-qty = How many? ({ $stock } in stock, up to { $max })
menu-qty = { $quantity } × — { $price }
confirm-quantity = 🔢 Quantity: { $quantity } × { $unit }
menu-item-notify = 🔔 Notify me
stock-notify-saved = 🔔 Done! We will tell you once when { $name } is back.
stock-restocked = 🔔 { $name } is back in stock! Type { $code } or /menu to buy.
stock-sold-out = 😔 Sorry, { $name } is sold out (taken by other buyers). Nothing was charged.
warranty-usage = To claim warranty: /garansi <ORDER_ID> <what is wrong>
warranty-not-found = Order { $order } was not found, is not delivered, or is not a shop product.
warranty-none = The product of order { $order } has no warranty.
warranty-expired = The warranty of order { $order } ({ $days } days) has ended.
warranty-sent = ✅ Your warranty claim for { $order } went to the admins. Please wait.
replace-delivered = 🔁 Replacement for order { $order } ({ $product }):
admin-usage-stock = /stock [code] | new <code> <price> <name> | add <code> (then one item per line) | remove <code> <n|all> | price|cost <code> <price> | desc <code> <text> | warranty <code> <days> | alert <code> <n> | off|on <code> | category <code> <name> — the shop's own stock
admin-usage-replace = /replace <ORDER_ID> — send a replacement item (free) for a warranty claim
admin-stock-empty = No shop products yet. Create one with /stock new <code> <price> <name>.
admin-stock-list-title = 🏪 Shop products ({ $count }) — available / reserved / sold:
admin-stock-list-line = { $code } — { $name } — { $price } — { $available } / { $reserved } / { $sold }
admin-stock-list-line-off = { $code } — { $name } — { $price } — { $available } / { $reserved } / { $sold } (hidden)
admin-stock-detail =
    🏪 { $code } — { $name }
    Price { $price }, cost { $cost }
    Category { $category } / { $group }
    Available { $available }, reserved { $reserved }, sold { $sold }
    Warranty { $warranty } days, low-stock alert at ≤ { $alert }, state { $state }
    Terms: { $description }
admin-stock-created = ✅ Product { $code } created: { $name } — { $price }. Add stock with /stock add { $code } and one item per line.
admin-stock-exists = The code { $code } is taken.
admin-stock-unknown = There is no shop product { $code }. See /stock.
admin-stock-no-key = ❗ DATA_ENCRYPTION_KEY is not set: stock items are never stored unencrypted. Set it (openssl rand -hex 32) and restart.
admin-stock-no-items = No items for { $code }. Put one item per line under /stock add { $code }.
admin-stock-too-many = Too many: { $count } items, at most { $max } per upload.
admin-stock-added = ✅ { $code }: { $added } added, { $skipped } skipped ({ $duplicates } duplicates), { $available } now available.
admin-stock-waiters-told = 🔔 { $notified } waiting buyers were told.
admin-stock-bad-file = Send the stock list as a .txt or .csv file (one item per line) with the caption /stock add <code>.
admin-stock-file-too-large = The file is too big: at most { $max }.
admin-stock-file-unreadable = The file could not be downloaded. Please send it again.
delivery-in-file = 📄 Your items are in the attached file (too long for one message).
admin-stock-removed = 🗑️ { $code }: { $removed } items removed, { $available } left.
admin-stock-saved = ✅ { $code } saved.
admin-stock-low = ⚠️ { $code } ({ $name }) is down to { $available }. Add more with /stock add { $code }.
admin-warranty-claim = 🛡️ Warranty claim { $order } from { $buyer }: { $product } ({ $code }, { $quantity } items) — "{ $text }". Answer /replace { $order } or /refund { $order }.
admin-replace-not-allowed = { $order } cannot be replaced: not a delivered shop product ({ $status }).
admin-replace-sold-out = { $code } is sold out: no replacement for { $order }. Add stock or /refund { $order }.
admin-replace-done = 🔁 Replacement for { $order } sent to { $buyer } (recorded). { $available } left.
admin-replace-unsent = ⚠️ The replacement for { $order } was taken and recorded, but the message to { $buyer } failed. { $available } left.
admin-stock-already-sold = ⛔ { $sold } of these items were sold before and were not added again (an item is never delivered twice).
admin-replace-resent = 🔁 The replacement for { $order } taken by this message was sent again to { $buyer } (no new item taken). { $available } left.
