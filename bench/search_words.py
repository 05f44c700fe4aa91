"""The words the search benchmark's listings are made of: cities of Huelva and the Algarve,
small-business goods and services by category in es/pt/en, qualities and sentences, and the
servers the sellers live on. Data only (``bench.search_data`` draws from it)."""

from __future__ import annotations

LOCAL_DOMAIN = "mercado.huelva.example"
REMOTE_DOMAINS = (
    "ruta.lepe.example",
    "ruta.ayamonte.example",
    "mercado.faro.example",
    "ruta.tavira.example",
    "ruta.portimao.example",
    "social.algarve.example",  # a Mastodon-like server
)

# (city, latitude, longitude)
CITIES = (
    ("Huelva", 37.261, -6.945),
    ("Lepe", 37.255, -7.204),
    ("Ayamonte", 37.213, -7.404),
    ("Isla Cristina", 37.199, -7.317),
    ("Cartaya", 37.283, -7.151),
    ("Punta Umbría", 37.182, -6.966),
    ("Moguer", 37.275, -6.839),
    ("Palos de la Frontera", 37.228, -6.893),
    ("Almonte", 37.264, -6.517),
    ("Aracena", 37.893, -6.561),
    ("Jabugo", 37.917, -6.728),
    ("Valverde del Camino", 37.575, -6.754),
    ("Minas de Riotinto", 37.693, -6.595),
    ("La Palma del Condado", 37.386, -6.552),
    ("Gibraleón", 37.376, -6.971),
    ("Aljaraque", 37.268, -7.024),
    ("Faro", 37.019, -7.930),
    ("Loulé", 37.138, -8.020),
    ("Tavira", 37.127, -7.648),
    ("Olhão", 37.026, -7.841),
    ("Portimão", 37.138, -8.538),
    ("Lagos", 37.102, -8.674),
    ("Albufeira", 37.089, -8.250),
    ("Silves", 37.189, -8.438),
    ("Vila Real de Santo António", 37.195, -7.416),
    ("Castro Marim", 37.218, -7.443),
    ("São Brás de Alportel", 37.152, -7.888),
    ("Monchique", 37.317, -8.555),
)

# category -> (kind, {language: [things]}, price range in euros)
THINGS: dict[str, tuple[str, dict[str, list[str]], tuple[int, int]]] = {
    "food": (
        "product",
        {
            "es": ["café molido", "café en grano", "jamón ibérico de Jabugo", "queso de cabra",
                   "miel de romero", "aceite de oliva virgen extra", "fresas de Moguer",
                   "gambas de Huelva", "vino del Condado", "pan de masa madre", "mojama",
                   "naranjas de temporada", "pastel de almendra", "chorizo ibérico"],
            "pt": ["café torrado", "medronho", "flor de sal de Castro Marim", "queijo de cabra",
                   "mel de alfarroba", "azeite virgem extra", "laranjas do Algarve",
                   "pão caseiro", "doce fino de amêndoa", "figos secos", "conservas de atum",
                   "vinho de Lagoa", "polvo seco"],
            "en": ["ground coffee", "coffee beans", "Iberian ham", "goat cheese", "orange honey",
                   "extra virgin olive oil", "sea salt flakes", "sourdough bread",
                   "almond cake", "dried figs", "craft beer"],
        },
        (2, 120),
    ),
    "crafts": (
        "product",
        {
            "es": ["cerámica pintada a mano", "cesta de esparto", "jarrón de barro",
                   "bolso de cuero", "vela artesanal", "macramé", "azulejo decorado",
                   "talla de madera de pino"],
            "pt": ["azulejo pintado à mão", "cesto de palma", "cerâmica de Porches",
                   "manta de lã", "peça de cortiça", "bordado tradicional", "vela artesanal"],
            "en": ["hand-painted ceramics", "cork wallet", "woven basket", "leather bag",
                   "scented candle", "wooden spoon set"],
        },
        (5, 250),
    ),
    "clothing": (
        "product",
        {
            "es": ["chaqueta vaquera", "vestido de flamenca", "zapatillas de deporte",
                   "abrigo de lana", "camiseta de algodón", "sombrero de paja", "botas camperas"],
            "pt": ["casaco de ganga", "vestido de verão", "sapatilhas", "camisola de lã",
                   "chapéu de palha", "sandálias de couro"],
            "en": ["denim jacket", "summer dress", "running shoes", "wool sweater",
                   "straw hat", "leather sandals"],
        },
        (5, 150),
    ),
    "beauty": (
        "service",
        {
            "es": ["corte de pelo", "manicura", "tinte y mechas", "masaje relajante",
                   "depilación", "maquillaje para bodas", "peluquería a domicilio"],
            "pt": ["corte de cabelo", "manicure", "madeixas", "massagem relaxante",
                   "maquilhagem para casamentos", "cabeleireiro ao domicílio"],
            "en": ["haircut", "manicure", "hair colouring", "relaxing massage",
                   "wedding make-up", "barber at home"],
        },
        (10, 90),
    ),
    "home": (
        "product",
        {
            "es": ["sofá de tres plazas", "mesa de comedor", "lámpara de pie", "macetas de barro",
                   "estantería de madera", "colchón", "cafetera italiana", "plantas de interior"],
            "pt": ["sofá de três lugares", "mesa de jantar", "candeeiro", "vasos de barro",
                   "estante de madeira", "cafeteira", "plantas de interior"],
            "en": ["three-seater sofa", "dining table", "floor lamp", "clay pots",
                   "bookshelf", "coffee maker", "garden chairs"],
        },
        (10, 600),
    ),
    "electronics": (
        "product",
        {
            "es": ["móvil Android", "portátil", "televisor", "auriculares bluetooth",
                   "cámara de fotos", "tableta", "consola de videojuegos"],
            "pt": ["telemóvel", "portátil", "televisão", "auscultadores", "máquina fotográfica",
                   "tablet"],
            "en": ["smartphone", "laptop", "television", "wireless headphones", "camera",
                   "tablet", "game console"],
        },
        (20, 900),
    ),
    "repairs": (
        "service",
        {
            "es": ["fontanero urgente", "electricista", "reparación de móviles",
                   "reparación de bicicletas", "pintura de pisos", "cerrajero", "albañil"],
            "pt": ["canalizador", "eletricista", "reparação de telemóveis",
                   "reparação de bicicletas", "pintor", "serralheiro"],
            "en": ["plumber", "electrician", "phone repair", "bike repair", "house painter",
                   "locksmith", "handyman"],
        },
        (20, 300),
    ),
    "care": (
        "service",
        {
            "es": ["cuidado de mayores", "canguro por horas", "ayuda a domicilio",
                   "paseo de perros", "fisioterapia a domicilio"],
            "pt": ["cuidado de idosos", "babysitter", "apoio domiciliário", "passeio de cães",
                   "fisioterapia ao domicílio"],
            "en": ["elderly care", "babysitting", "home help", "dog walking",
                   "home physiotherapy"],
        },
        (8, 40),
    ),
    "cleaning": (
        "service",
        {
            "es": ["limpieza de casas", "limpieza de oficinas", "limpieza de cristales",
                   "limpieza de apartamentos turísticos"],
            "pt": ["limpeza de casas", "limpeza de escritórios", "limpeza de vidros",
                   "limpeza de alojamento local"],
            "en": ["house cleaning", "office cleaning", "window cleaning",
                   "holiday let cleaning"],
        },
        (10, 120),
    ),
    "tourism": (
        "service",
        {
            "es": ["casa rural", "paseo en barco por la ría", "ruta a caballo por Doñana",
                   "apartamento junto a la playa", "visita guiada", "alquiler de kayak"],
            "pt": ["alojamento local", "passeio de barco na ria Formosa", "visita guiada",
                   "apartamento perto da praia", "aluguer de caiaque", "observação de golfinhos"],
            "en": ["country house", "boat trip", "guided tour", "beach apartment",
                   "kayak rental", "dolphin watching"],
        },
        (15, 400),
    ),
    "transport": (
        "service",
        {
            "es": ["mudanzas", "transporte de muebles", "furgoneta con conductor",
                   "traslado al aeropuerto"],
            "pt": ["mudanças", "transporte de móveis", "carrinha com motorista",
                   "transfer para o aeroporto"],
            "en": ["removals", "furniture transport", "van with driver", "airport transfer"],
        },
        (30, 500),
    ),
    "lessons": (
        "service",
        {
            "es": ["clases de inglés", "clases de guitarra", "clases de matemáticas",
                   "traducción jurada", "clases de surf", "clases de portugués"],
            "pt": ["aulas de inglês", "aulas de guitarra", "explicações de matemática",
                   "tradução certificada", "aulas de surf", "aulas de espanhol"],
            "en": ["English lessons", "guitar lessons", "maths tutoring",
                   "certified translation", "surf lessons", "Spanish lessons"],
        },
        (10, 60),
    ),
    "digital": (
        "service",
        {
            "es": ["diseño de páginas web", "tienda online", "gestión de redes sociales",
                   "fotografía de producto", "diseño de logotipos"],
            "pt": ["criação de sites", "loja online", "gestão de redes sociais",
                   "fotografia de produto", "design de logótipos"],
            "en": ["website design", "online shop set-up", "social media management",
                   "product photography", "logo design"],
        },
        (50, 1500),
    ),
    "agriculture": (
        "product",
        {
            "es": ["plantones de naranjo", "estiércol", "cabras payoyas", "heno", "tractor usado",
                   "huevos de corral", "semillas de tomate"],
            "pt": ["árvores de fruto", "estrume", "cabras", "feno", "trator usado",
                   "ovos caseiros"],
            "en": ["orange saplings", "manure", "goats", "hay bales", "used tractor",
                   "free-range eggs"],
        },
        (3, 8000),
    ),
    "other": (
        "product",
        {
            "es": ["bicicleta de montaña", "libros de segunda mano", "tabla de surf",
                   "caña de pescar", "cochecito de bebé", "juguetes"],
            "pt": ["bicicleta de montanha", "livros usados", "prancha de surf",
                   "cana de pesca", "carrinho de bebé", "brinquedos"],
            "en": ["mountain bike", "second-hand books", "surfboard", "fishing rod",
                   "pushchair", "toys"],
        },
        (2, 400),
    ),
}  # fmt: skip

QUALITY = {
    "es": ["artesano", "de calidad", "ecológico", "casero", "como nuevo", "de temporada",
           "tradicional", "a buen precio", "recién hecho", "de la zona"],
    "pt": ["artesanal", "de qualidade", "biológico", "caseiro", "como novo", "da época",
           "tradicional", "a bom preço", "fresco", "da região"],
    "en": ["handmade", "quality", "organic", "homemade", "like new", "seasonal",
           "traditional", "good value", "fresh", "local"],
}  # fmt: skip
SENTENCES = {
    "es": ["Entrega en {city} y alrededores.", "Pregunta sin compromiso.",
           "Abierto de lunes a sábado.", "Negocio familiar desde hace veinte años.",
           "Se puede recoger en la tienda.", "Envíos a toda la provincia.",
           "Precio por unidad, descuento por cantidad.", "Hablamos español y portugués."],
    "pt": ["Entrega em {city} e arredores.", "Pergunte sem compromisso.",
           "Aberto de segunda a sábado.", "Negócio familiar há vinte anos.",
           "Pode levantar na loja.", "Envios para todo o Algarve.",
           "Preço por unidade, desconto por quantidade.", "Falamos português e espanhol."],
    "en": ["Delivery in {city} and nearby.", "Ask without obligation.",
           "Open Monday to Saturday.", "Family business for twenty years.",
           "Collect from the shop.", "We ship across the region.",
           "Price per unit, discounts for bulk orders.", "We speak English and Spanish."],
}  # fmt: skip
