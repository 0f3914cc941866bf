using System;
using System.Collections.Generic;

namespace Teleradyoloji
{
    // Turns a status code and the library's error JSON into a TeleradyolojiException: the one
    // place that maps statuses to exceptions.
    internal static class Errors
    {
        // Throws unless status is TRL_OK. Frees err either way.
        internal static void Check(int status, IntPtr err)
        {
            Check(status, err, null, 0);
        }

        // For trl_call, whose HTTP status and body stay filled on TRL_E_HTTP.
        internal static void Check(int status, IntPtr err, string responseBody, int httpStatus)
        {
            string json = Utf8.Take(err);
            if (status != (int)TeleradyolojiStatus.Ok)
            {
                TeleradyolojiException e = FromNative(status, json, responseBody, httpStatus);
                e.MessageTr = TurkishOf(json);
                throw e;
            }
        }

        // The "message_tr" of an error JSON, or null.
        internal static string TurkishOf(string json)
        {
            try
            {
                var fields = MiniJson.Parse(json) as Dictionary<string, object>;
                object v;
                return fields != null && fields.TryGetValue("message_tr", out v) ? v as string : null;
            }
            catch (FormatException) { return null; }
        }

        // The Turkish text of a status, for errors the binding makes itself.
        internal static string StatusTurkish(TeleradyolojiStatus status)
        {
            switch ((int)status)
            {
                case 0: return "İşlem başarılı.";
                case 1: return "Kütüphaneye geçersiz bir değer verildi (program hatası): HBYS firmasına bildirin.";
                case 2: return "Bağlantı ayarları hatalı: HBYS firmasına veya bilgi işlem birimine bildirin.";
                case 3: return "Bağlantı nesnesi kapatılmış veya geçersiz (program hatası): HBYS firmasına bildirin.";
                case 4: return "e-Nabız şifresi veya kurum kodu hatalı: OGN giriş bilgilerini kabul etmedi.";
                case 5: return "Bakanlık sunucusu isteği kabul etmedi.";
                case 6: return "Bakanlık sunucusuna ulaşılamıyor: ağ bağlantısını, güvenlik duvarını ve vekil sunucu (proxy) ayarını kontrol edin.";
                case 7: return "Bakanlık sunucusu zamanında yanıt vermedi: ağ bağlantısını kontrol edip yeniden deneyin.";
                case 8: return "Bakanlık sunucusundan anlaşılamayan bir yanıt geldi.";
                case 9: return "Kütüphanede beklenmeyen bir hata oluştu: HBYS firmasına bildirin.";
                case 10: return "Kütüphane, yüklendikten sonra çatallanmış (fork) bir süreçte çağrıldı ve orada çalışamaz (program hatası): HBYS firmasına bildirin.";
                default: return "Bilinmeyen bir hata oluştu (kod " + (int)status + ").";
            }
        }

        internal static TeleradyolojiException FromNative(int status, string json, string responseBody, int httpStatus)
        {
            Dictionary<string, object> fields = null;
            try { fields = MiniJson.Parse(json) as Dictionary<string, object>; }
            catch (FormatException) { }
            if (fields == null) fields = new Dictionary<string, object>();

            string message = Get<string>(fields, "message");
            if (string.IsNullOrEmpty(message))
                message = Utf8.Read(NativeMethods.trl_status_name(status));
            int? http = null;
            object value;
            if (fields.TryGetValue("http_status", out value) && value is double) http = (int)(double)value;
            else if (httpStatus > 0) http = httpStatus;
            return new TeleradyolojiException((TeleradyolojiStatus)status, message, http,
                Get<string>(fields, "server_error"), Get<string>(fields, "server_error_description"),
                Get<bool>(fields, "retryable"), responseBody);
        }

        // An error the binding finds itself (e.g. text the C ABI cannot carry).
        internal static TeleradyolojiException Binding(TeleradyolojiStatus status, string message)
        {
            return new TeleradyolojiException(status, message);
        }

        private static T Get<T>(Dictionary<string, object> fields, string key)
        {
            object v;
            return fields.TryGetValue(key, out v) && v is T ? (T)v : default(T);
        }
    }
}
