# Warung Bot — Bahasa Indonesia (bahasa utama).
# Setiap kunci di sini harus ada juga di en.ftl (tes memeriksanya).

## Umum
welcome = Halo! Selamat datang di { $shop } 👋
error-outage = ⚠️ Sistem sedang gangguan, coba lagi sebentar lagi ya.
text-only = Maaf, saya hanya bisa membaca pesan teks.
flood-slow-down = ⏳ Pelan-pelan ya, pesanmu terlalu cepat. Pesan yang barusan tidak diproses; tunggu sebentar lalu kirim lagi.
not-understood = Maaf, saya belum paham. Pilih nomor dari menu atau ketik kode produk.
unknown-command = Perintah { $command } tidak dikenal. Ketik /help untuk daftar perintah.
help =
    🛒 { $shop } — cara belanja:
    1. Ketik /menu lalu pilih kategori dan produk (balas dengan nomor, tekan tombol, atau ketik kode produk).
    2. Masukkan tujuan (ID game, nomor HP, email…).
    3. Konfirmasi lalu bayar pakai saldo.
    Perintah:
    /menu — menu utama
    /saldo — cek saldo
    /topup <jumlah> — isi saldo
    /riwayat — 10 pesanan terakhir
    /order <ID> — detail pesanan
    /batal — batalkan langkah sekarang
    /vps — kelola VPS kamu
    /referral — kode ajak teman
    /lang id|en — ganti bahasa
lang-usage = Pilih bahasa: /lang id (Indonesia) atau /lang en (English).
lang-switched = ✅ Bahasa diganti ke Bahasa Indonesia.

## Menu
menu-main-title = 🏪 { $shop } — pilih kategori:
menu-footer = Balas dengan nomor pilihan.
menu-footer-code = Balas dengan nomor, atau ketik kode produk.
menu-category = { $category } ({ $count })
menu-group-title = { $category } — pilih:
menu-group = { $group }
menu-product-title = { $title } — pilih produk:
menu-page = Halaman { $page }/{ $pages }
menu-product = { $name } — { $price }{ $sandbox ->
    [sandbox] {" "}[SANDBOX]
   *[other] {""}
}
menu-product-unavailable = { $name } — { $price } (tidak tersedia){ $sandbox ->
    [sandbox] {" "}[SANDBOX]
   *[other] {""}
}
menu-item-saldo = 💰 Saldo & isi saldo
menu-item-orders = 📦 Pesanan saya
menu-item-help = ❓ Bantuan
menu-item-back = ⬅️ Kembali
menu-item-prev-page = ◀️ Sebelumnya
menu-item-next-page = ▶️ Berikutnya
menu-item-cancel = ❌ Batal
menu-item-confirm = ✅ Lanjut bayar
menu-item-retarget = ✏️ Ubah tujuan
menu-expired = ⌛ Menu ini sudah kedaluwarsa. Ini menu terbaru:
menu-bad-number = Nomor itu tidak ada di menu. Pilih 1–{ $count }.

category-game = 🎮 Top-up game
category-data = 📶 Kuota & pulsa
category-app = 📺 Aplikasi premium
category-panel = 🖥️ Panel Pterodactyl
category-vps = ☁️ VPS
category-plan = ⭐ Paket premium
category-other = 🧩 Lainnya

## Checkout
product-summary = 🛍️ { $name } (kode { $code }){ $sandbox ->
    [sandbox] {" "}— SANDBOX, bukan transaksi sungguhan
   *[other] {""}
}
input-prompt-none = Produk ini tidak butuh data tujuan.
input-prompt-game_id = Kirim ID game kamu (contoh: 12345678).
input-prompt-game_id_zone = Kirim ID dan Zone ID kamu (contoh: 12345678 (1234)).
input-prompt-phone = Kirim nomor HP tujuan (contoh: 081234567890).
input-prompt-email = Kirim alamat email tujuan.
input-prompt-gmail = Kirim alamat Gmail yang akan diaktifkan (contoh: nama@gmail.com).
input-prompt-panel_username = Kirim username panel yang kamu mau (huruf, angka, _ . -; 3–30 karakter, diawali huruf).
input-prompt-months = Untuk berapa bulan? Kirim 1, 3, 6 atau 12.
input-prompt-os = Pilih sistem operasi (OS) untuk VPS-nya:
menu-os = { $os }
input-error-game-id = ❗ ID game harus angka 4–20 digit. Coba lagi.
input-error-game-id-zone = ❗ Format salah. Kirim ID lalu Zone ID, contoh: 12345678 (1234).
input-error-phone = ❗ Nomor HP tidak valid. Harus nomor Indonesia 08… atau 628…, 10–14 digit.
input-error-email = ❗ Alamat email tidak valid.
input-error-gmail = ❗ Harus alamat Gmail (…@gmail.com).
input-error-panel-username = ❗ Username harus 3–30 karakter: huruf, angka, _ . -, diawali huruf.
input-error-months = ❗ Pilih 1, 3, 6 atau 12 bulan.
input-error-too-long = ❗ Terlalu panjang. Kirim datanya saja.
input-error-generic = ❗ Data tidak valid. Coba lagi.
confirm-title = 🧾 Cek pesanan kamu:
confirm-target = 🎯 Tujuan: { $target }
confirm-months = 🗓️ Masa aktif: { $months } bulan × { $monthly }
confirm-os = 💿 OS: { $os }
confirm-price = 💵 Harga: { $price }
payment-title = 💳 Pilih cara bayar:
pay-method-wallet = Saldo
pay-method-wallet-balance = Saldo (sisa { $balance })
pay-method-qris = QRIS
pay-method-provider_qris = QRIS (langsung ke penyedia)
checkout-cancelled = Dibatalkan.
checkout-expired = ⌛ Pesananmu yang belum selesai sudah kedaluwarsa karena lama tidak ada balasan. Ketik /menu untuk mulai lagi.
shop-paused = 🛠️ Pembelian sedang dijeda: { $message }
product-gone = Produk itu sudah tidak tersedia. Silakan pilih lagi.
product-out-of-stock = Maaf, { $name } sedang habis.
product-provider-down = Maaf, { $name } sementara tidak tersedia. Coba lagi nanti.
price-changed = Harga { $name } baru saja berubah menjadi { $price }. Silakan pilih lagi dari /menu.
payment-method-unavailable = Cara bayar itu belum tersedia. Pilih cara bayar lain.

## Saldo
wallet-balance = 💰 Saldo kamu: { $balance }
wallet-topup-hint = Isi saldo dengan /topup <jumlah>, contoh /topup 50000.
wallet-topup-hint-sandbox = Mode SANDBOX: isi saldo uji coba dengan /topup <jumlah>, contoh /topup 100000.
wallet-insufficient = Saldo tidak cukup: harga { $price }, saldo kamu { $balance }.
topup-unavailable = Isi saldo belum tersedia di toko ini. Hubungi admin.
topup-usage-sandbox = Ketik /topup <jumlah>, contoh /topup 100000 (SANDBOX, bukan uang sungguhan).
topup-bad-amount = Jumlah tidak valid. Contoh: /topup 50000 (minimal { $min }, maksimal { $max }).
topup-sandbox-done = ✅ SANDBOX: saldo ditambah { $amount }. Saldo sekarang { $balance }.

## Pesanan
order-paid = ✅ Pesanan { $order } dibayar: { $product } — { $price }. Sisa saldo { $balance }.
order-processing = ⏳ Sedang diproses, hasilnya akan dikirim di chat ini.
order-pending = ⏳ Pesanan { $order } sedang diproses penyedia. Kami kabari begitu selesai.
order-delivered = 🎉 Pesanan { $order } berhasil: { $product }
order-failed = ❌ Pesanan { $order } gagal: { $reason }
order-refunded = 💸 { $amount } sudah dikembalikan ke saldo kamu. Saldo sekarang { $balance }.
orders-empty = Belum ada pesanan. Ketik /menu untuk mulai belanja.
orders-title = 📦 10 pesanan terakhir:
orders-line = { $order } · { $product } · { $price } · { $status }
orders-hint = Detail: /order <ID>
order-usage = Ketik /order <ID>, contoh /order ORD-ABCD2345.
order-not-found = Pesanan { $order } tidak ditemukan.
order-detail =
    🧾 { $order }
    { $product } — { $price }
    Status: { $status }
    Waktu: { $date } UTC
delivery-serial = 🔑 SN: { $value }
delivery-email = 📧 Email: { $value }
delivery-password = 🔒 Password: { $value }
delivery-username = 👤 Username: { $value }
delivery-url = 🔗 Link: { $value }
delivery-ip = 🌐 IP: { $value }
delivery-note = 📝 Catatan: { $value }
delivery-plan = ⭐ Paket: { $value }
delivery-expires = 📅 Berlaku sampai: { $value }
delivery-invoice = 🧾 Invoice: { $value }
delivery-secrets-withheld = 🔒 Data login tidak disimpan demi keamanan. Lihat pesan pengiriman sebelumnya, atau hubungi admin.

status-awaiting_payment = menunggu pembayaran
status-paid = dibayar
status-placing = diproses
status-pending = diproses
status-delivered = berhasil
status-failed = gagal
status-refunded = dana dikembalikan
status-expired = kedaluwarsa

## Kesalahan penyedia (ditampilkan ke pembeli; detail hanya di log admin)
provider-error-auth = penyedia menolak akses toko. Admin sudah diberi tahu.
provider-error-forbidden_ip = penyedia menolak akses toko. Admin sudah diberi tahu.
provider-error-insufficient_balance = stok penyedia sedang kosong. Admin sudah diberi tahu.
provider-error-out_of_stock = produk sedang habis.
provider-error-invalid_input = data tujuan ditolak penyedia. Periksa lagi ID/nomornya.
provider-error-not_found = produk atau pesanan tidak ditemukan di penyedia.
provider-error-rate_limited = penyedia sedang sibuk.
provider-error-upstream = penyedia sedang gangguan.
provider-error-unavailable = penyedia sedang tidak tersedia.
provider-error-malformed = penyedia memberi jawaban yang tidak dikenali.
provider-error-timeout = penyedia tidak menjawab.
provider-error-failed = transaksi ditolak penyedia.

## Admin
admin-alert-attention = ⚠️ { $order } perlu dicek: { $why }

## Perintah bot (daftar di Telegram)
cmd-start = Mulai belanja
cmd-menu = Menu utama
cmd-saldo = Cek saldo
cmd-topup = Isi saldo
cmd-orders = Riwayat pesanan
cmd-order = Detail pesanan
cmd-cancel = Batalkan langkah sekarang
cmd-help = Bantuan
cmd-lang = Ganti bahasa

## Konsol
console-intro = Mode konsol: kamu adalah pembeli. Ketik /start untuk mulai, /quit untuk keluar.
console-bye = Sampai jumpa! 👋
console-document-saved = 📄 Berkas { $name } disimpan di { $path }

## Pembayaran QRIS
qris-purpose-order = pembayaran { $product }
qris-purpose-topup = isi saldo
qris-purpose-renewal = perpanjangan VPS { $order }
qris-caption =
    📱 Scan QRIS ini untuk { $purpose }
    💵 Bayar tepat: { $amount }
    🧾 ID: { $id }
    ⏰ Berlaku sampai { $expires }
qris-exact-amount = ⚠️ Nominal sudah termasuk kode unik { $code } — bayar persis sesuai nominal agar terkonfirmasi otomatis.
qris-expired = ⌛ Pembayaran { $id } ({ $amount }) sudah kedaluwarsa. Jangan bayar QR lama itu; buat pesanan baru dari /menu.
qris-paid-order = ✅ Pembayaran { $id } diterima: { $product }.
qris-credited-instead = 💰 Pembayaran { $id } masuk ke saldo kamu (saldo sekarang { $balance }) karena pesanannya tidak bisa diproses.
qris-late-credited = 💰 Pembayaran { $id } sebesar { $amount } diterima setelah kedaluwarsa, jadi dimasukkan ke saldo kamu. Saldo sekarang { $balance }.
qris-extra-credited = 💰 Transfer lain untuk pembayaran { $id } yang sudah lunas diterima: { $amount } dimasukkan ke saldo kamu. Saldo sekarang { $balance }.
topup-paid = ✅ Isi saldo { $amount } diterima. Saldo sekarang { $balance }.
order-expired-unpaid = ⌛ Pesanan { $order } dibatalkan karena belum dibayar.
admin-alert-underpaid = ⚠️ Pembayaran { $id } kurang: masuk { $paid }, seharusnya { $expected }. Cek manual.
admin-alert-overpaid = ℹ️ Pembayaran { $id } lebih { $amount }; kelebihannya masuk saldo pembeli.
admin-alert-unmatched-payment = ⚠️ Ada uang masuk { $amount } (ref { $reference }) yang tidak cocok dengan pembayaran mana pun. Kreditkan manual bila perlu.
admin-alert-late-payment = ℹ️ Pembayaran { $id } ({ $amount }) masuk setelah kedaluwarsa; dimasukkan ke saldo pembeli.
admin-alert-extra-transfer = ℹ️ Transfer kedua { $amount } (ref { $reference }) untuk pembayaran { $id } yang sudah lunas; dimasukkan ke saldo pembeli.
admin-alert-qris-pool = ⚠️ Kode unik QRIS untuk harga { $price } hampir habis: { $used } dari { $size } terpakai.
admin-alert-bad-callback = ⚠️ Callback pembayaran ditolak: { $reason }.

## WhatsApp
whatsapp-pairing-code = 🔗 Kode pairing WhatsApp untuk { $phone }: { $code }
    Buka WhatsApp di HP itu › Perangkat tertaut › Tautkan perangkat › Tautkan dengan nomor telepon, lalu masukkan kode ini.
whatsapp-qr-caption = 🔗 Pindai QR ini di WhatsApp › Perangkat tertaut › Tautkan perangkat untuk menghubungkan bot. QR berganti setiap ±20 detik.
whatsapp-login-quiet = ⏸️ Login WhatsApp belum selesai. Kode/QR berikutnya tidak dikirim ke sini lagi; lihat terminal atau file { $file }, atau jalankan ulang bot.
whatsapp-connected = ✅ WhatsApp terhubung (nomor { $phone }).
whatsapp-logged-out = ⚠️ WhatsApp bot keluar (perangkat dilepas dari HP). Sesi lama dihapus; login baru dimulai — tunggu kode/QR berikutnya.
whatsapp-replaced = ⚠️ Sesi WhatsApp bot diambil alih oleh koneksi lain (ada instance lain yang berjalan?). WhatsApp bot berhenti; periksa lalu jalankan ulang.
whatsapp-forbidden = ⛔ WhatsApp menolak nomor bot (403, mungkin diblokir). WhatsApp bot berhenti; periksa nomornya di HP.
whatsapp-lock-busy = ⏳ Proses lain sedang memegang koneksi WhatsApp. Proses ini menunggu dan baru tersambung jika yang lain berhenti.
whatsapp-lock-lost = ⚠️ Kunci koneksi WhatsApp diambil proses lain. Proses ini memutus WhatsApp dan menunggu.
admin-alert-bad-webhook = ⚠️ Webhook { $provider } ditolak: rahasia salah atau tidak ada. Penolakan { $provider } berikutnya tidak dilaporkan selama satu jam; periksa URL atau rahasia webhook yang diatur di provider.

## VPS saya (aluy.net)
cmd-vps = VPS saya
vps-none = Kamu belum punya VPS dari toko ini.
vps-list-title = 🖥️ VPS kamu — pilih:
vps-list-item = { $name } ({ $order }) · s.d. { $expires }
vps-not-found = VPS itu tidak ditemukan.
vps-expires = ⏳ Aktif sampai { $date } WIB; tidak diperpanjang otomatis dan berhenti saat itu.
vps-lapsed = ⌛ VPS pesanan { $order } sudah melewati masa aktifnya dan tidak bisa dikendalikan lagi di sini.
vps-expiry-reminder = ⏰ VPS { $name } ({ $order }) berakhir pada { $date } WIB, { $days } hari lagi. Perpanjang lewat /vps sebelum itu, atau VPS berhenti.
vps-service-title = 🖥️ { $name } ({ $order }) — pilih tindakan:
vps-action-status = 📊 Status & IP
vps-action-start = ▶️ Nyalakan
vps-action-shutdown = ⏏️ Matikan (aman)
vps-action-restart = 🔄 Restart
vps-action-stop = ⏹️ Matikan paksa
vps-action-reset_password = 🔑 Reset password root
vps-action-console = 🖥️ Konsol VNC
vps-action-reinstall = 💿 Install ulang OS
vps-action-renew = 🗓️ Perpanjang 1 bulan
vps-action-done = ✅ Perintah dikirim: { $action }
vps-status = 📊 Status: { $state } · IP: { $ips }
vps-password = 🔑 Password root baru: { $password }
vps-console = 🖥️ Konsol VNC: { $ip }:{ $port } · sandi: { $password } · browser: { $wss }
vps-console-warning = ⚠️ Siapa pun yang punya data ini bisa mengendalikan layar dan keyboard server Anda. Jangan dibagikan; hapus pesan ini setelah selesai.
    Simpan sekarang — password ini tidak disimpan oleh toko.
vps-reinstall-title = 💿 Pilih OS untuk install ulang:
vps-reinstall-confirm = ⚠️ Install ulang { $name } dengan { $os }? SEMUA DATA di server akan hilang.
vps-reinstall-yes = 💣 Ya, hapus semua dan install ulang
vps-reinstall-started = ✅ Install ulang dengan { $os } dimulai. Tunggu beberapa menit.
vps-renew-confirm = 🗓️ Perpanjang { $name } 1 bulan seharga { $price }? Setelah itu aktif sampai { $date } WIB.
vps-renew-yes = 💰 Bayar dengan Saldo
vps-renew-qris = 📱 Bayar dengan QRIS
vps-renewed = ✅ Diperpanjang seharga { $price }: aktif sampai { $date } WIB. Saldo: { $balance }
renewal-qris-kept = ℹ️ Pembayaran { $amount } diterima, tapi VPS { $order } sudah diperpanjang atau sudah berakhir, jadi uangnya masuk saldo. Saldo: { $balance }
vps-error = ❗ Gagal: { $reason }
qris-busy = Maaf, QRIS sedang penuh. Coba lagi sebentar, atau bayar pakai saldo.
qris-busy-topup = Maaf, QRIS sedang penuh untuk nominal ini. Coba lagi sebentar atau dengan nominal lain.
qris-too-many-open = Kamu masih punya { $max } pembayaran QRIS yang belum dibayar. Bayar atau tunggu salah satunya kedaluwarsa dulu.

## Admin
admin-refused = ⛔ Perintah admin hanya untuk admin toko, di grup admin.
admin-forwarded-ignored = ℹ️ Perintah yang diteruskan (forward) tidak dijalankan. Ketik sendiri perintahnya jika memang dimaksud.
admin-private-refused = ⛔ Perintah admin hanya bisa dipakai di grup admin. Silakan kirim di sana.
admin-usage-invalid = ❗ Cara pakai: { $usage }
admin-error = ⚠️ Perintah gagal. Detailnya ada di log.
admin-help-title = 🛠️ Perintah admin:
admin-usage-help = /help — daftar ini
admin-usage-balance = /balance — saldo reseller di tiap provider
admin-usage-deposit = /deposit alxzen <jumlah> — QRIS untuk isi saldo provider
admin-usage-orders = /orders [status|attention] [n] — pesanan terbaru (attention: yang menunggu dicek)
admin-usage-order = /order <ORDER_ID> — detail lengkap satu pesanan
admin-usage-paid = /paid <ORDER_ID|TOP_ID> — konfirmasi pembayaran QRIS manual
admin-usage-refund = /refund <ORDER_ID> [alasan] — kembalikan dana ke saldo pembeli (sekali)
admin-usage-retry = /retry <ORDER_ID> — proses ulang pesanan yang gagal atau macet
admin-usage-resolve = /resolve <ORDER_ID> delivered <data> | ref <referensi-penyedia> | failed [alasan] — selesaikan pesanan yang menunggu dicek
admin-usage-markup = /markup — lihat; /markup global|<provider>|<kode> <10% | 2000 | off> — atur atau hapus markup
admin-usage-product = /product off|on <kode> — sembunyikan atau tampilkan produk
admin-usage-maintenance = /maintenance on [pesan] | off — jeda atau buka lagi pembelian
admin-usage-user = /user <id> — saldo, mutasi dan pesanan pembeli (telegram:123, whatsapp:628…)
admin-usage-credit = /credit <user> <jumlah> <alasan> — tambah saldo (jumlah negatif untuk mengurangi)
admin-usage-broadcast = /broadcast <teks> — kirim pesan ke semua pembeli
admin-usage-stats = /stats [today|7d|30d] — penjualan dan laba
admin-usage-reconcile = /reconcile [provider] [today|7d] — cocokkan pesanan dengan catatan provider
admin-usage-audit = /audit [n] — tindakan admin terakhir
admin-orders-title = 📦 { $count } pesanan terbaru:
admin-orders-empty = Tidak ada pesanan.
admin-orders-line = { $order } · { $date } · { $product } · { $price } · { $status } · { $buyer }
admin-order-not-found = Pesanan { $order } tidak ditemukan.
admin-order-head = 🧾 { $order } — { $status } (dibuat { $date } WIB)
admin-order-buyer = 👤 Pembeli: { $buyer } (chat { $chat }, bahasa { $locale })
admin-order-product = 🛍️ { $product } — kode { $code }, { $provider } sku { $sku }
admin-order-money = 💵 Harga { $price } · modal { $cost } · laba { $profit }
admin-order-payment = 💳 Pembayaran: { $method }, { $amount }, dibayar { $paid }, ref { $reference }
admin-order-refs = 🔗 Ref kita { $ref } · ref provider { $providerRef }
admin-order-failure = ❌ Gagal: { $reason }
admin-order-attention = ⚠️ Perlu dicek: { $why }
attention-failing = pemrosesan gagal terus: { $detail }
attention-qris-unclear = pesanan QRIS ke penyedia tidak mendapat jawaban jelas ({ $detail })
attention-no-lookup = hasilnya tidak diketahui dan penyedia tidak bisa mencari pesanan lewat referensi kita; cek di penyedia
attention-unknown-outcome = hasilnya tidak diketahui setelah { $detail }; tidak diulang agar tidak membeli dua kali
attention-still-pending = masih diproses penyedia setelah batas waktu pantau; cek di penyedia
attention-purchase-cap = sudah { $detail } kali dibeli tanpa jawaban jelas; tidak dibeli lagi. Cek di penyedia, lalu /resolve
attention-provision-issue = penyedia sudah menagih tetapi gagal menyiapkan pesanan, dan satu kali perbaikan tidak berhasil ({ $detail }); tidak dikembalikan otomatis. Perbaiki di penyedia, lalu /resolve
attention-other = { $text }
admin-order-secrets-hidden = 🔒 Data login tidak ditampilkan di grup.
admin-order-history-title = 🕒 Riwayat (WIB):
admin-order-history-line = • { $date } { $status }
admin-order-history-note = • { $date } { $status } — { $note }
admin-paid-confirmed = ✅ Pembayaran { $id } sebesar { $amount } dikonfirmasi untuk { $buyer }.
admin-paid-overpaid = ℹ️ Kelebihan bayar { $amount }; sisanya masuk saldo pembeli.
admin-paid-already = ℹ️ Pembayaran { $id } sudah dikonfirmasi sebelumnya; tidak ada yang berubah.
admin-paid-finished = ✅ Pembayaran { $id } sudah dikonfirmasi, tapi penyelesaiannya terputus; sekarang saldo/pesanannya sudah diselesaikan.
admin-paid-late = 💰 Pembayaran { $id } sudah kedaluwarsa; { $amount } dimasukkan ke saldo pembeli.
admin-paid-underpaid = ⚠️ Pembayaran { $id } kurang; cek manual.
admin-paid-not-found = Pembayaran QRIS { $id } tidak ditemukan.
admin-refund-done = 💸 { $order } direfund: { $amount } ke { $buyer } (saldo sekarang { $balance }).
admin-refund-already = ℹ️ { $order } sudah direfund; tidak ada yang berubah.
admin-refund-not-allowed = ❗ { $order } tidak bisa direfund selagi berstatus { $status }.
admin-refund-buyer = ↩️ Pesanan { $order } dibatalkan oleh toko.
admin-retry-queued = 🔁 { $order } sedang diproses ulang.
admin-retry-refunded = ℹ️ { $order } sudah direfund; tidak akan dipesan lagi.
admin-retry-not-allowed = ❗ { $order } tidak bisa diproses ulang selagi berstatus { $status }.
admin-resolve-delivered = ✅ { $order } dikirim ke pembeli dengan data yang diberikan.
admin-resolve-ref = 🔎 { $order }: referensi { $ref } dipasang; status dipantau lagi di penyedia.
admin-resolve-not-allowed = ❗ { $order } tidak bisa diselesaikan selagi berstatus { $status }.
admin-markup-title = 🏷️ Markup (aturan paling spesifik yang berlaku: produk, lalu provider, lalu global):
admin-markup-line = • { $target }: { $value }
admin-markup-target-global = global
admin-markup-target-provider = provider { $provider }
admin-markup-target-product = produk { $code }
admin-markup-set = ✅ Markup { $target } sekarang { $value }. Harga langsung berubah.
admin-markup-removed = ✅ Aturan markup { $target } dihapus; aturan berikutnya yang berlaku.
admin-markup-example = { $code }: modal { $cost } → harga { $price }
admin-provider-unknown = ❗ Provider { $provider } tidak aktif.
admin-product-unknown = ❗ Tidak ada produk dengan kode { $code }.
admin-product-hidden = 🙈 { $code } disembunyikan dari pembeli.
admin-product-shown = 👁️ { $code } ditampilkan lagi ke pembeli.
admin-product-already-hidden = ℹ️ { $code } sudah disembunyikan.
admin-product-not-hidden = ℹ️ { $code } tidak sedang disembunyikan.
admin-maintenance-default = Toko sedang maintenance. Silakan coba lagi nanti.
admin-maintenance-on = 🛠️ Pembelian dijeda. Pembeli melihat: { $message }
admin-maintenance-off = ✅ Pembelian dibuka lagi.
admin-maintenance-status-on = 🛠️ Pembelian dijeda sejak { $date } WIB oleh { $by }: { $message }
admin-maintenance-status-off = ✅ Pembelian sedang buka.
admin-user-not-found = ❗ Pembeli { $user } tidak ditemukan.
admin-user-ambiguous = ❗ { $users } sama-sama cocok; tulis kanalnya, mis. telegram:123.
admin-user-head = 👤 { $buyer } — saldo { $balance }
admin-user-ledger-title = Mutasi (terbaru dulu):
admin-user-ledger-empty = Belum ada mutasi.
admin-user-ledger-line = • { $date } { $amount } { $reason } ({ $detail })
admin-user-orders-title = Pesanan terbaru:
admin-user-orders-empty = Belum ada pesanan.
admin-ledger-topup = isi saldo
admin-ledger-purchase = pembelian
admin-ledger-refund = refund
admin-ledger-manual = manual
admin-ledger-late_payment = bayar telat
admin-ledger-overpayment = kelebihan bayar
admin-ledger-sandbox_topup = isi saldo sandbox
admin-credit-done = ✅ { $amount } untuk { $buyer }; saldo sekarang { $balance }.
admin-credit-duplicate = ℹ️ Kredit ini sudah diterapkan; saldo { $buyer } { $balance }.
admin-credit-insufficient = ❗ Tidak bisa mengambil { $amount } dari { $buyer }: saldonya hanya { $balance }.
admin-buyer-credited = 💰 Toko menambahkan { $amount } ke saldo kamu. Saldo sekarang { $balance }.
admin-buyer-debited = 💰 Toko mengurangi saldo kamu sebesar { $amount }. Saldo sekarang { $balance }.
admin-balance-title = 💼 Saldo di provider:
admin-balance-line-idr = • { $provider }: { $idr }
admin-balance-line = • { $provider }: { $amount } (≈ { $idr })
admin-balance-low = ⚠️ di bawah { $threshold } — segera isi saldo
admin-balance-error = • { $provider }: gagal dibaca ({ $code })
admin-deposit-caption = 🏦 Deposit { $provider } { $id }: scan untuk bayar { $amount }.
admin-deposit-unsupported = ❗ { $provider } tidak punya deposit QRIS di sini (atau tidak aktif).
admin-deposit-failed = ❗ { $provider } menolak deposit ({ $code }).
admin-broadcast-message = 📢 { $text }
admin-broadcast-started = 📢 Broadcast dimulai ke { $total } pembeli ({ $skipped } dilewati). Progres menyusul di sini.
admin-broadcast-busy = ⏳ Masih ada broadcast yang berjalan; tunggu hitungan akhirnya.
admin-broadcast-empty = ℹ️ Tidak ada penerima ({ $skipped } dilewati).
admin-broadcast-duplicate = ℹ️ Pesan ini sudah ditangani sekali (pesan yang sama terkirim ulang); siaran tidak diulang.
admin-broadcast-progress = 📢 Broadcast: { $done }/{ $total } selesai…
admin-broadcast-done = 📢 Broadcast selesai: { $sent } terkirim, { $blocked } memblokir bot, { $failed } gagal, { $skipped } dilewati.
admin-stats-period-today = hari ini
admin-stats-period-7d = 7 hari terakhir
admin-stats-period-30d = 30 hari terakhir
admin-stats-title = 📊 Statistik { $period }:
admin-stats-orders = Pesanan: { $total } (berhasil { $delivered }, gagal/refund { $failed }, diproses { $open }, belum bayar/kedaluwarsa { $unpaid })
admin-stats-money = Omzet { $revenue } · modal { $cost } · laba { $profit }
admin-stats-providers-title = Per provider:
admin-stats-provider = • { $provider }: { $count } terjual, omzet { $revenue }, modal { $cost }, laba { $profit }
admin-stats-top-title = Produk terlaris:
admin-stats-top = • { $product } ({ $code }): { $count }× — { $revenue }
admin-reconcile-title = 🔎 Rekonsiliasi { $period }:
admin-reconcile-provider = { $provider }: { $checked } catatan provider dibaca, { $orders } pesanan di sini, { $count } selisih
admin-reconcile-provider-status = { $provider }: { $checked } dari { $orders } pesanan dicek satu per satu, { $count } selisih
admin-reconcile-incomplete = ⚠️ Riwayat { $provider } terlalu panjang: hanya sebagian yang dibaca.
admin-reconcile-unchecked = ⚠️ { $count } pesanan lain tidak dicek (paling banyak { $max } per perintah).
admin-reconcile-error = { $provider }: tidak bisa dicek ({ $code })
admin-reconcile-charged-no-order = • { $provider } { $ref }: ditagih { $amount } ({ $status }) tanpa pesanan di sini
admin-reconcile-delivered-but-failed-there = • { $order } ({ $ref }): terkirim di sini, { $status } di { $provider }
admin-reconcile-failed-here-but-charged-there = • { $order } ({ $ref }): { $ours } di sini, tetapi ditagih { $amount } di { $provider }
admin-reconcile-cost-differs = • { $order } ({ $ref }): modal tercatat { $ours }, ditagih { $theirs } di { $provider }
admin-reconcile-delivered-not-found-there = • { $order } ({ $ref }): terkirim di sini, tidak ada di riwayat { $provider }
admin-reconcile-more = … dan { $count } selisih lagi
admin-reconcile-none = ✅ Tidak ada selisih.
admin-reconcile-not-enabled = Provider { $provider } tidak aktif.
admin-reconcile-their-success = sukses
admin-reconcile-their-pending = diproses
admin-reconcile-their-unpaid = belum dibayar
admin-reconcile-their-failed = gagal
admin-audit-title = 🗒️ { $count } tindakan admin terakhir:
admin-audit-empty = Belum ada tindakan admin.
admin-audit-line = • { $date } { $who } /{ $command } { $args } → { $result }
admin-notify-burst = 🔔 { $count } kabar:
admin-notify-paid = 🆕 { $order } dibayar: { $product } — { $price } ({ $method }, { $buyer })
admin-notify-delivered = ✅ { $order } terkirim: { $product } ({ $provider })
admin-notify-failed = ❌ { $order } gagal di { $provider }: { $product } — { $reason } ({ $detail })
admin-notify-refunded = 💸 { $order } direfund { $amount } ke { $buyer }
admin-notify-balance-low = ⚠️ Saldo { $provider } tinggal { $balance }, di bawah { $threshold }. Isi dengan /deposit atau langsung di provider.
admin-notify-provider-down = 🔴 Provider { $provider } sedang gangguan; produknya tampil tidak tersedia.
admin-notify-provider-up = 🟢 Provider { $provider } sudah normal lagi.

## QRIS gateway (Midtrans, Tripay, Pakasir)
pay-method-qris-gateway = QRIS via { $gateway }
qris-gateway-fee = ℹ️ Sudah termasuk biaya layanan { $fee }.
qris-unavailable = Maaf, QRIS sedang tidak bisa dipakai. Bayar pakai saldo, atau coba lagi beberapa saat lagi.
qris-unavailable-topup = Maaf, QRIS sedang tidak bisa dipakai untuk isi saldo. Coba lagi beberapa saat lagi.
admin-alert-qris-failover = ⚠️ QRIS { $from } gagal ({ $reason }); pembayaran { $id } dilayani { $to }. ({ $count }× sejak kabar terakhir)
admin-alert-qris-unavailable = 🔴 QRIS { $gateway } gagal ({ $reason }) dan tidak ada gateway lain yang bisa; pembayaran { $id } tidak dibuat. ({ $count }× sejak kabar terakhir)
admin-alert-gateway-rejected = ⚠️ Laporan pembayaran dari { $gateway } ditolak: { $reason } (pembayaran { $id }); tidak ada uang yang masuk. ({ $count }× dalam semenit terakhir)
admin-alert-gateway-unconfigured = ⚠️ Pembayaran { $id } dilayani gateway QRIS { $gateway }, yang sudah tidak ada di QRIS_GATEWAYS (atau kredensialnya tidak ada): notifikasinya ditolak dan statusnya tidak bisa dicek. Pasang lagi sampai pembayaran terbukanya selesai, atau cek langsung di { $gateway }. (diberitahukan sekali sehari)
admin-alert-gateway-stranded = ⚠️ { $gateway } melaporkan transaksi yang tidak kami pegang sudah dibayar: { $id }, transaksi { $transaction }, { $amount }. Uangnya ada di { $gateway }, bukan di saldo pembeli; selesaikan dengan pembeli secara manual.
admin-usage-payment = /payment <ORDER_ID|TOP_ID> — catatan pembayaran QRIS dan status langsung di gateway
admin-payment-not-found = Pembayaran QRIS { $id } tidak ditemukan.
admin-payment-head = 💳 { $id } ({ $kind }): { $status } — { $amount }, pembeli { $buyer }
admin-payment-static = QRIS statis milik toko (kode unik { $code })
admin-payment-gateway = Gateway { $gateway }, transaksi { $transaction }: ditagih { $total }, biaya { $fee } ({ $payer }), masuk saldo { $credit }
admin-payment-fee-payer-buyer = ditanggung pembeli
admin-payment-fee-payer-shop = ditanggung toko
admin-payment-times = Dibuat { $created }, berlaku sampai { $expires }, dibayar { $paid }
admin-payment-confirmed = Dikonfirmasi oleh { $by }, ref { $reference }
admin-payment-live = Status di { $gateway } sekarang: { $state }, { $amount } { $currency }, untuk { $id }
admin-payment-live-error = Status di { $gateway } tidak bisa dibaca sekarang ({ $detail }).
admin-payment-live-off = Gateway { $gateway } tidak ada lagi di QRIS_GATEWAYS; status tidak bisa dicek.
admin-payment-status-open = menunggu pembayaran
admin-payment-status-paid = lunas
admin-payment-status-expired = kedaluwarsa
admin-payment-kind-order = pesanan
admin-payment-kind-topup = isi saldo
admin-stats-gateway-fees = Biaya gateway { $fees } · laba setelah biaya { $profit }
## Harga: voucher, tier harga, kode promo penyedia (issue 17)
menu-item-voucher = 🎟️ Pakai voucher
menu-item-voucher-change = 🎟️ Ganti voucher
menu-item-voucher-remove = ✖️ Hapus voucher
voucher-prompt = 🎟️ Ketik kode voucher kamu:
voucher-applied = 🎟️ Voucher { $code } dipakai.
voucher-removed = Voucher dilepas.
voucher-refused-unknown = ❗ Voucher { $code } tidak dikenal.
voucher-refused-off = ❗ Voucher { $code } sudah tidak berlaku.
voucher-refused-expired = ❗ Voucher { $code } sudah kedaluwarsa.
voucher-refused-used_up = ❗ Kuota voucher { $code } sudah habis.
voucher-refused-per_buyer = ❗ Kamu sudah memakai voucher { $code } sebanyak batasnya.
voucher-refused-min = ❗ Voucher { $code } berlaku untuk belanja minimal { $min }.
voucher-refused-product = ❗ Voucher { $code } tidak berlaku untuk produk ini.
confirm-price-list = 🏷️ Harga normal: { $price }
confirm-tier-discount = 👑 Harga { $tier }: -{ $discount }
confirm-voucher-discount = 🎟️ Voucher { $code }: -{ $discount }
wallet-tier = 👑 Level harga kamu: { $tier }
admin-usage-voucher = /voucher add <KODE> <10%|5000> [min=] [max=] [uses=] [per_buyer=] [until=YYYY-MM-DD] [only=kode,…|kategori] [allow_loss] · /voucher list · /voucher off <KODE> · /voucher <KODE>
admin-usage-tier = /tier <id> [tier] — lihat atau ubah level harga pembeli
admin-usage-promo = /promo — lihat; /promo <KODE_PRODUK> <kode-promo>|off — pasang atau lepas kode promo penyedia
admin-voucher-empty = Belum ada voucher.
admin-voucher-list-title = 🎟️ Voucher:
admin-voucher-line = • { $code } ({ $value }) — terpakai { $used }, ditahan { $held }, batas { $limit } · { $state }
admin-voucher-state-on = aktif
admin-voucher-state-off = nonaktif
admin-voucher-state-expired = kedaluwarsa
admin-voucher-unknown = ❗ Tidak ada voucher { $code }.
admin-voucher-off = 🚫 Voucher { $code } dinonaktifkan; pesanan yang sudah memakainya tetap berlaku.
admin-voucher-added = ✅ Voucher { $code } dibuat.
admin-voucher-changed = ✅ Ketentuan voucher { $code } diubah; pemakaian sebelumnya tetap dihitung.
admin-voucher-max-flat = ❗ max= hanya untuk voucher persen.
admin-voucher-terms-value = Potongan: { $value }
admin-voucher-terms-min = Belanja minimal: { $min }
admin-voucher-terms-max = Potongan maksimal: { $max }
admin-voucher-terms-uses = Kuota: { $uses }
admin-voucher-terms-per-buyer = Per pembeli: { $uses }
admin-voucher-terms-until = Berlaku sampai: { $until }
admin-voucher-terms-only = Hanya untuk: { $only }
admin-voucher-terms-allow-loss = Boleh di bawah modal
admin-tier-off = ℹ️ Level harga belum diatur (PRICE_TIERS kosong).
admin-tier-unknown = ❗ Tidak ada level { $tier }. Pilihan: { $tiers }.
admin-tier-set = 👑 { $buyer } sekarang level { $tier } (belanja terkirim { $spend }).
admin-tier-shown = 👑 { $buyer }: level { $tier } (belanja terkirim { $spend }).
admin-promo-empty = Belum ada kode promo penyedia.
admin-promo-title = 🏷️ Kode promo penyedia:
admin-promo-line = • { $product }: { $promo }
admin-promo-removed = Kode promo { $product } dilepas.
admin-promo-check-failed = ❗ Kode promo tidak bisa dicek di { $provider }: { $reason }
admin-promo-refused = ❗ { $provider } menolak kode promo { $promo }: { $reason }
admin-promo-set-checked = ✅ { $product } memakai kode promo { $promo } ({ $provider } menerima, potongan { $percent }%).
admin-promo-set = ✅ { $product } memakai kode promo { $promo } (dikirim ke { $provider } setiap pembelian).
admin-stats-discount-voucher = Diskon voucher: { $amount } ({ $count } pesanan)
admin-stats-discount-tier = Diskon tier: { $amount } ({ $count } pesanan)
## Referral (issue 17)
cmd-referral = Ajak teman
referral-title = 🤝 Ajak teman, dapat bonus saldo
referral-code = Kode referral kamu: { $code }
referral-link = Bagikan link ini: { $link }
referral-how-text = Teman baru cukup mengirim pesan pertama: REF { $code }
referral-terms = Kamu mendapat { $percent }% dari setiap pesanan teman yang berhasil dikirim, selama { $days } hari sejak mereka bergabung, langsung ke saldo. Hanya untuk pembeli baru (belum pernah pesan); bonus ditarik lagi bila pesanannya direfund.
referral-count = Teman yang sudah bergabung: { $count }
referral-owed = Bonus yang ditarik tapi belum tertutup saldo: { $amount } (dipotong dari bonus berikutnya).
referral-off = Program referral sedang tidak aktif.
referral-linked = ✅ Kamu bergabung lewat kode referral { $code }. Selamat belanja!
referral-refused-taken = ℹ️ Kamu sudah terhubung dengan kode referral lain; satu pembeli hanya bisa punya satu pengajak.
referral-refused-self = ℹ️ Kode { $code } adalah kodemu sendiri (atau kode teman yang kamu ajak); tidak bisa dipakai.
referral-refused-existing = ℹ️ Kode referral hanya untuk pembeli baru; kamu sudah pernah memesan.
referral-refused-unknown = ❗ Kode referral { $code } tidak dikenal. Periksa lagi kodenya.
admin-ledger-referral = bonus referral
admin-ledger-referral_reversal = bonus referral ditarik
admin-stats-referral = Bonus referral: { $amount } ({ $count } pesanan)
admin-refund-delivered-needs-reason = ❗ { $order } sudah terkirim: refund hanya dengan alasan, mis. /refund { $order } akun tidak bisa dipakai

## Cadangan dan ekspor (/backup, cadangan harian, /export)
admin-usage-backup = /backup — cadangan terenkripsi pesanan, saldo, pembayaran, pengaturan dan stok, dikirim ke sini
admin-usage-export = /export orders|ledger [7d|30d|YYYY-MM] — file CSV untuk Excel atau Google Sheets (bawaan 30d)
admin-backup-off = 🔒 Cadangan mati: isi BACKUP_KEY (frasa sandi minimal 16 karakter, simpan di tempat aman) lalu mulai ulang.
admin-backup-in-memory = Cadangan butuh Redis sungguhan (REDIS_URL); penyimpanan demo di memori tidak menyimpan apa pun.
admin-backup-failed = ⚠️ Cadangan gagal; rinciannya ada di log bot.
admin-backup-too-large = ⚠️ Data toko terlalu besar untuk satu cadangan (maksimal { $keys } kunci dan { $mb } MB): andalkan replikasi Redis dan salinan RDB/AOF-nya.
admin-backup-made = 💾 Cadangan { $file }: { $keys } kunci, { $kb } KB, per { $date } WIB. Dienkripsi dengan BACKUP_KEY.
admin-backup-saved = Tersimpan di server sebagai { $path } ({ $pruned } yang lama dihapus).
admin-backup-not-saved = Tidak disimpan di server (tanpa BACKUP_DIR): simpan file ini.
admin-backup-restore-hint = Untuk memulihkan: npm run restore -- <file> (dengan BACKUP_KEY yang sama, ke Redis kosong).
admin-backup-too-big-to-send = File lebih dari { $mb } MB, melebihi batas kiriman bot: ambil dari BACKUP_DIR di server.
admin-backup-daily = 🌙 Cadangan harian
admin-backup-daily-failed = ⚠️ Cadangan harian gagal; rinciannya ada di log bot.
admin-export-orders = 📄 Pesanan { $period }: { $count } pesanan, total { $total } (terkirim { $delivered }).
admin-export-ledger = 📄 Mutasi saldo { $period }: { $count } entri, masuk { $credits }, keluar { $debits }.
admin-export-truncated = ⚠️ Hanya { $max } baris terbaru: ekspor periode yang lebih pendek.
## Harga, lanjutan (issue 17): QRIS penyedia tanpa diskon, baris harga di /order
payment-provider-price-only = ℹ️ QRIS langsung ke penyedia tidak tersedia untuk harga diskon/voucher: penyedia menagih harga normalnya.
voucher-refused-method = ❗ Voucher { $code } tidak bisa dipakai: produk ini hanya bisa dibayar lewat QRIS penyedia, yang menagih harga normal.
admin-order-pricing = 🏷️ Harga normal { $list } · diskon tier { $tier }: -{ $discount }
admin-order-voucher = 🎟️ Voucher { $code }: -{ $discount }
admin-order-promo = 🏷️ Kode promo penyedia: { $promo }
## Stok toko sendiri (/stock, Kabari saya, /garansi, /replace)
category-shop = 🏪 Produk toko
cmd-garansi = Klaim garansi produk toko
menu-product-stock = { $name } — { $price } (stok { $stock })
input-prompt-qty = Mau beli berapa? (stok { $stock }, maks. { $max })
menu-qty = { $quantity } × — { $price }
confirm-quantity = 🔢 Jumlah: { $quantity } × { $unit }
menu-item-notify = 🔔 Kabari saya
stock-notify-saved = 🔔 Siap! Kami kabari sekali saat { $name } tersedia lagi.
stock-restocked = 🔔 { $name } sudah tersedia lagi! Ketik { $code } atau /menu untuk membeli.
stock-sold-out = 😔 Maaf, { $name } habis (stok sudah dipesan pembeli lain). Saldo kamu tidak terpotong.
warranty-usage = Cara klaim garansi: /garansi <ORDER_ID> <keterangan masalah>
warranty-not-found = Pesanan { $order } tidak ditemukan, belum terkirim, atau bukan produk toko.
warranty-none = Produk pada pesanan { $order } tidak bergaransi.
warranty-expired = Masa garansi pesanan { $order } ({ $days } hari) sudah lewat.
warranty-sent = ✅ Klaim garansi { $order } sudah diteruskan ke admin. Mohon tunggu ya.
replace-delivered = 🔁 Pengganti untuk pesanan { $order } ({ $product }):
admin-usage-stock = /stock [kode] | new <kode> <harga> <nama> | add <kode> (lalu satu item per baris) | remove <kode> <n|all> | price|cost <kode> <harga> | desc <kode> <teks> | warranty <kode> <hari> | alert <kode> <n> | off|on <kode> | category <kode> <nama> — stok toko sendiri
admin-usage-replace = /replace <ORDER_ID> — kirim item pengganti (gratis) untuk klaim garansi
admin-stock-empty = Belum ada produk toko. Buat dengan /stock new <kode> <harga> <nama>.
admin-stock-list-title = 🏪 Produk toko ({ $count }) — tersedia / dipesan / terjual:
admin-stock-list-line = { $code } — { $name } — { $price } — { $available } / { $reserved } / { $sold }
admin-stock-list-line-off = { $code } — { $name } — { $price } — { $available } / { $reserved } / { $sold } (disembunyikan)
admin-stock-detail =
    🏪 { $code } — { $name }
    Harga { $price }, modal { $cost }
    Kategori { $category } / { $group }
    Tersedia { $available }, dipesan { $reserved }, terjual { $sold }
    Garansi { $warranty } hari, peringatan stok ≤ { $alert }, status { $state }
    Ketentuan: { $description }
admin-stock-created = ✅ Produk { $code } dibuat: { $name } — { $price }. Tambah stok dengan /stock add { $code } lalu satu item per baris.
admin-stock-exists = Kode { $code } sudah dipakai.
admin-stock-unknown = Produk toko { $code } tidak ada. Lihat /stock.
admin-stock-no-key = ❗ DATA_ENCRYPTION_KEY belum diatur: item stok tidak pernah disimpan tanpa enkripsi. Atur dulu (openssl rand -hex 32) lalu restart.
admin-stock-no-items = Tidak ada item untuk { $code }. Tulis satu item per baris di bawah /stock add { $code }.
admin-stock-too-many = Terlalu banyak: { $count } item, maksimal { $max } per unggahan.
admin-stock-added = ✅ { $code }: { $added } ditambahkan, { $skipped } dilewati ({ $duplicates } duplikat), sekarang tersedia { $available }.
admin-stock-waiters-told = 🔔 { $notified } pembeli yang menunggu sudah dikabari.
admin-stock-bad-file = Kirim daftar stok sebagai file .txt atau .csv (satu item per baris) dengan caption /stock add <kode>.
admin-stock-file-too-large = File terlalu besar: maksimal { $max }.
admin-stock-file-unreadable = File tidak bisa diunduh. Coba kirim lagi.
delivery-in-file = 📄 Item kamu ada di file terlampir (terlalu panjang untuk satu pesan).
admin-stock-removed = 🗑️ { $code }: { $removed } item dihapus, tersisa { $available }.
admin-stock-saved = ✅ { $code } disimpan.
admin-stock-low = ⚠️ Stok { $code } ({ $name }) tinggal { $available }. Tambah dengan /stock add { $code }.
admin-warranty-claim = 🛡️ Klaim garansi { $order } dari { $buyer }: { $product } ({ $code }, { $quantity } item) — "{ $text }". Balas /replace { $order } atau /refund { $order }.
admin-replace-not-allowed = { $order } tidak bisa diganti: bukan produk toko yang sudah terkirim ({ $status }).
admin-replace-sold-out = Stok { $code } habis: tidak ada pengganti untuk { $order }. Tambah stok atau /refund { $order }.
admin-replace-done = 🔁 Pengganti { $order } dikirim ke { $buyer } (tercatat). Sisa stok { $available }.
admin-replace-unsent = ⚠️ Pengganti { $order } diambil dan tercatat, tapi pesan ke { $buyer } gagal terkirim. Sisa stok { $available }.
admin-stock-already-sold = ⛔ { $sold } item ini sudah pernah terjual dan tidak ditambahkan lagi (satu item tidak pernah dikirim dua kali).
admin-replace-resent = 🔁 Pengganti { $order } yang diambil pesan ini dikirim ulang ke { $buyer } (tidak mengambil item baru). Sisa stok { $available }.
